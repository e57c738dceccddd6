package org.civitas.domain.federation;

/** Lifecycle of a federation. */
public enum FederationStatus {
    /** Rounds are being run. */
    RUNNING,
    /** Every planned round was aggregated. */
    COMPLETED,
    /** A round could not reach its quorum before its deadline. */
    FAILED,
    /** The next round was refused before it opened (it would exceed a dataset's privacy budget). */
    STOPPED
}
