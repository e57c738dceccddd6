/**
 * Multimodal datasets at a site: the JSON Lines manifest (one sample a line: id, image, text, label,
 * scenario, meta), its strict validation, the aggregate summary that may leave the site, and the
 * synthetic city-safety generator with injected defects and their ground truth.
 */
package org.civitas.federation.core.dataset;
