package org.civitas.batch.retention;

/** The coordinator's step of {@code data-retention}, implemented in the federation EJB module. */
public interface CoordinatorRetentionSteps {

    String JNDI_NAME = "java:app/ejb-federation/CoordinatorRetention!org.civitas.batch.retention.CoordinatorRetentionSteps";

    /** Erases the update tensors the coordinator keeps past their retention (nothing on a server that is not one); a one-line summary. */
    String eraseAtCoordinator(long runId);
}
