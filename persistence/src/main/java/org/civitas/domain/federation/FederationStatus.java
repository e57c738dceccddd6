package org.civitas.domain.federation;

/** Lifecycle of a federation. */
public enum FederationStatus {
    /** Rounds are being run. */
    RUNNING,
    /** Every planned round was aggregated. */
    COMPLETED,
    /** A round could not reach its quorum before its deadline. */
    FAILED
}
