package org.civitas.batch.personal;

/**
 * The application service behind {@code personal-head}, implemented in the federation EJB module
 * and looked up by {@link #JNDI_NAME}.
 */
public interface PersonalHeadSteps {

    String JNDI_NAME = "java:app/ejb-federation/PersonalHeadJobSteps!org.civitas.batch.personal.PersonalHeadSteps";

    /** Trains the head, keeps the personal state and compares it with the global version on the held-out data; answers a summary. */
    String train(long headId);

    /** The job ended; a head whose job did not complete is marked failed. */
    void jobEnded(long headId, String batchStatus);
}
