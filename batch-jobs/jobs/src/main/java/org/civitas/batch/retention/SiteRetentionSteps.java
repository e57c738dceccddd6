package org.civitas.batch.retention;

/** The sites' step of {@code data-retention}, implemented in the federation EJB module. */
public interface SiteRetentionSteps {

    String JNDI_NAME = "java:app/ejb-federation/SiteRetention!org.civitas.batch.retention.SiteRetentionSteps";

    /** Erases the outbox updates, checkpoints, curated manifests and quality findings this server's sites keep past their retention. */
    String eraseAtSites(long runId);
}
