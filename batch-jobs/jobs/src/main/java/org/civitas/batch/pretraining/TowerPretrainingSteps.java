package org.civitas.batch.pretraining;

/** The application service behind {@code pretrain-image-tower}, implemented in the federation EJB module. */
public interface TowerPretrainingSteps {

    String JNDI_NAME = "java:app/ejb-federation/TowerPretrainingService!org.civitas.batch.pretraining.TowerPretrainingSteps";

    /** Pretrains the run's tower in the coordinator's model worker and stores the result; a one-line summary. */
    String pretrain(long runId);
}
