/** Batch scoring at a site: runs of the batch-scoring job and their progress. */
package org.civitas.domain.scoring;
