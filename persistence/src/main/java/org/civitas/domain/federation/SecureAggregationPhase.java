package org.civitas.domain.federation;

/**
 * Where a secure-aggregation round stands. Each phase ends when every expected site has answered,
 * or at its deadline with at least the threshold of sites; the sites that answered are the ones
 * the next phase expects.
 */
public enum SecureAggregationPhase {
    /** Sites advertise their two public keys. */
    KEYS,
    /** Sites send their shares, sealed for each other member of the round. */
    SHARES,
    /** Sites upload their masked updates. */
    MASKED_UPLOADS,
    /** Survivors reveal shares so the coordinator can remove the masks. */
    UNMASKING
}
