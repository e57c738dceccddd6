package org.civitas.federation.protocol;

/**
 * How long a site may keep what it made for a federation, or from a dataset, under its
 * enterprise's agreements: {@code federation} set for the outbox updates and checkpoints of that
 * federation (the newest agreement for its plan), {@code dataset} set for the quality findings and
 * curated manifests of that dataset (the longest retention among the agreements that name it).
 */
public record RetentionTerm(Long federation, String dataset, int retentionDays, long agreement) {
}
