package org.civitas.batch.finetune;

/**
 * The application service behind the {@code local-finetune} job's steps, implemented in the
 * federation EJB module and looked up by {@link #JNDI_NAME} (an EAR library cannot see beans of an
 * EJB module, but every module sees the application's JNDI names).
 */
public interface LocalFineTuneSteps {

    String JNDI_NAME = "java:app/ejb-federation/LocalFineTuneService!org.civitas.batch.finetune.LocalFineTuneSteps";

    /**
     * Fetches the round's global state, trains on the site's data, and keeps the update in the
     * site's outbox; {@code executionId} is the job execution doing it, which {@link #stop} names.
     */
    String train(long runId, long executionId);

    /** Sends the outboxed update to the coordinator and records the outcome. */
    String upload(long runId);

    /**
     * The job execution was asked to stop (the site's training window closed): end its training
     * now, its checkpoint kept. A stop concerns that execution only, never a later restart of it.
     */
    void stop(long runId, long executionId);
}
