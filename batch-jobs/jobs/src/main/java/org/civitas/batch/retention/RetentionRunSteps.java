package org.civitas.batch.retention;

/** The bookkeeping of {@code data-retention} runs, implemented in the federation EJB module. */
public interface RetentionRunSteps {

    String JNDI_NAME = "java:app/ejb-federation/RetentionRecords!org.civitas.batch.retention.RetentionRunSteps";

    /** Records how the run's job ended. */
    void jobEnded(long runId, String batchStatus);
}
