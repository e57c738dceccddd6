/** The {@code dataset-import} job: check a site's manifest and register the dataset's aggregates. */
package org.civitas.batch.dataset;
