package org.civitas.domain.federation;

/** Lifecycle of a round: open for updates, then aggregated into a new model version, or failed. */
public enum RoundStatus {
    OPEN,
    AGGREGATED,
    FAILED
}
