/**
 * The {@code data-quality} job: a partitioned chunk step reads a site's manifest shard by shard,
 * inspects each line and stores its features (embedding each chunk's texts in one request to the
 * model worker); a batchlet then runs the checks across the dataset, writes the findings and the
 * curated manifest at the site, and sends the aggregate report to the coordinator.
 */
package org.civitas.batch.quality;
