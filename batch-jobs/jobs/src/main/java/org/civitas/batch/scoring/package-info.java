/**
 * The {@code batch-scoring} job: a site scores one of its manifests with a released model version,
 * partition by partition, and writes the predictions as JSONL beside the manifest with a summary.
 * The artifacts are thin: {@link org.civitas.batch.scoring.BatchScoringSteps} does the work.
 */
package org.civitas.batch.scoring;
