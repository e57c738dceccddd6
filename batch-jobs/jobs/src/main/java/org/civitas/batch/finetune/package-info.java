/**
 * The {@code local-finetune} job: train on the site's data from the round's global state, then
 * upload the update. Two steps, so a failed upload can be retried without training again.
 */
package org.civitas.batch.finetune;
