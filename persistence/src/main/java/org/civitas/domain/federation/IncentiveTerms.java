package org.civitas.domain.federation;

import jakarta.persistence.Column;
import jakarta.persistence.Embeddable;

import java.math.BigDecimal;

/**
 * A plan's incentive rules: {@code rewardPerRound} credits split among the sites of each valued
 * round by contribution, the share of it paid in equal parts to every eligible site, and the
 * minimum contribution a site must reach in a round to receive the next global model. Each may be
 * null: no such rule.
 */
@Embeddable
public class IncentiveTerms {

    @Column(name = "reward_per_round", precision = 19, scale = 4)
    private BigDecimal rewardPerRound;

    @Column(name = "min_contribution")
    private Double minContribution;

    @Column(name = "participation_share")
    private Double participationShare;

    protected IncentiveTerms() {
    }

    /** Terms as asked for; {@link FederationPlan} checks them ({@link #checked}) when it is built. */
    public IncentiveTerms(BigDecimal rewardPerRound, Double minContribution, Double participationShare) {
        this.rewardPerRound = rewardPerRound;
        this.minContribution = minContribution;
        this.participationShare = participationShare;
    }

    /**
     * The terms as stored: the reward with four decimals.
     *
     * @throws IllegalArgumentException naming the field that is out of range
     */
    IncentiveTerms checked() {
        if (participationShare != null && !(participationShare >= 0 && participationShare <= 1)) {
            throw new IllegalArgumentException("invalid federation plan: incentives participationShare must be in [0, 1], was "
                    + participationShare);
        }
        if (rewardPerRound != null && (rewardPerRound.signum() < 0 || rewardPerRound.compareTo(BigDecimal.valueOf(1_000_000_000L)) > 0
                || rewardPerRound.stripTrailingZeros().scale() > 4)) {
            throw new IllegalArgumentException("invalid federation plan: incentives rewardPerRound must be in [0, 1e9] with at most 4 decimals, was "
                    + rewardPerRound.toPlainString());
        }
        if (minContribution != null && !Double.isFinite(minContribution)) {
            throw new IllegalArgumentException("invalid federation plan: incentives minContribution must be a finite number");
        }
        return new IncentiveTerms(rewardPerRound == null ? null : rewardPerRound.setScale(4), minContribution, participationShare);
    }

    boolean isSet() {
        return rewardPerRound != null || minContribution != null || participationShare != null;
    }

    public BigDecimal getRewardPerRound() {
        return rewardPerRound;
    }

    public Double getMinContribution() {
        return minContribution;
    }

    public Double getParticipationShare() {
        return participationShare;
    }
}
