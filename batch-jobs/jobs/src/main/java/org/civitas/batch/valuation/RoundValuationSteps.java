package org.civitas.batch.valuation;

/** The application service behind {@code round-valuation}, implemented in the federation EJB module. */
public interface RoundValuationSteps {

    String JNDI_NAME = "java:app/ejb-federation/RoundValuationService!org.civitas.batch.valuation.RoundValuationSteps";

    /** Values the sites' updates of the round and records the values; a one-line summary. */
    String valueRound(long federationId, int round);

    /** Posts the round's reward to the ledger and applies the plan's contribution rule to the next round; a one-line summary. */
    String creditRound(long federationId, int round);

    /** Evaluates the model version the round produced on the coordinator's test split, for models run in the worker; a one-line summary. */
    String evaluateRound(long federationId, int round);
}
