/**
 * Data quality at a site, before training: per-item measures (content hash, perceptual hash,
 * sharpness, exposure, PII, schema), the checks across a dataset (exact and near duplicates, label
 * noise and cross-modal mismatch judged by the items' embedding neighbourhoods), the findings that
 * stay at the site, and the aggregate report that may leave it. Free of Jakarta types.
 */
package org.civitas.federation.core.quality;
