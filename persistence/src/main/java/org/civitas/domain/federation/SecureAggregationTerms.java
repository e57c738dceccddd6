package org.civitas.domain.federation;

import jakarta.persistence.Column;
import jakarta.persistence.Embeddable;

/**
 * A plan's secure aggregation: sites upload only masked updates, and the coordinator learns only
 * the sum of the survivors' updates. {@code threshold} is the Shamir threshold t, {@code
 * fractionBits} the fixed-point precision. Checked against the plan's sites by {@link FederationPlan}.
 */
@Embeddable
public class SecureAggregationTerms {

    @Column(name = "secagg_threshold")
    private Integer threshold;

    @Column(name = "secagg_fraction_bits")
    private Integer fractionBits;

    protected SecureAggregationTerms() {
    }

    public SecureAggregationTerms(int threshold, int fractionBits) {
        this.threshold = threshold;
        this.fractionBits = fractionBits;
    }

    boolean isSet() {
        return threshold != null;
    }

    /**
     * The threshold must be a strict majority of the sites (so no two disjoint groups can each
     * rebuild secrets) and at least 2; at least three sites (with two, each could subtract its own
     * update from the sum and read the other's).
     */
    void check(int sites, int minSites) {
        if (sites < 3) {
            throw new IllegalArgumentException("invalid federation plan: secure aggregation needs at least 3 sites, the plan has " + sites
                    + " (with two, each site could read the other's update from the sum)");
        }
        if (threshold <= sites / 2 || threshold > sites) {
            throw new IllegalArgumentException("invalid federation plan: secureAggregation threshold must be in [" + (sites / 2 + 1) + ", "
                    + sites + "] for " + sites + " sites (a strict majority), was " + threshold);
        }
        if (fractionBits < 8 || fractionBits > 24) {
            throw new IllegalArgumentException("invalid federation plan: secureAggregation fractionBits must be in [8, 24], was "
                    + fractionBits);
        }
        if (threshold > minSites) {
            throw new IllegalArgumentException("invalid federation plan: secureAggregation threshold " + threshold
                    + " exceeds minSites " + minSites + ": a round that closes with minSites updates could not be unmasked");
        }
    }

    public Integer getThreshold() {
        return threshold;
    }

    public Integer getFractionBits() {
        return fractionBits;
    }
}
