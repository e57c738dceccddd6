package org.civitas.federation.core.quality;

/**
 * One flagged item: its manifest line and id, the check, a score in [0, 1] (higher is more
 * certain), the reason in words, and the other item involved where there is one (a duplicate's
 * original). Findings stay at the site: they name items.
 */
public record Finding(int line, String id, Check check, double score, String reason, String relatedId) {
}
