package org.civitas.domain.federation;

import org.civitas.domain.consortium.Enterprise;
import org.civitas.domain.consortium.Site;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class RoundTest {

    private final Enterprise enterprise = new Enterprise("meridian-energy", "Meridian Energy", "energy");
    private final Site energy = new Site("energy", "Energy", enterprise, "token-of-energy-site");
    private final Site urban = new Site("urban", "Urban", enterprise, "token-of-urban-site!");
    private final Site outsider = new Site("outsider", "Outsider", enterprise, "token-of-outsider-site");
    private final Instant t0 = Instant.parse("2026-11-01T10:00:00Z");

    private FederationPlan.Spec spec(int rounds, int minSites) {
        return FederationPlan.Spec.of("test", "softmax-regression", 4, 3, "fedavg", rounds, 1, 0.1, 8, minSites,
                Duration.ofMinutes(5), List.of(energy, urban));
    }

    private FederationPlan plan(int rounds, int minSites) {
        return new FederationPlan(spec(rounds, minSites));
    }

    private static UpdateReceipt.Content content(long samples) {
        return new UpdateReceipt.Content(samples, 0.5, 1.0, "a".repeat(64), 100, "a".repeat(64));
    }

    @Test
    void aNewFederationOpensRoundOne() {
        Federation f = new Federation(plan(3, 2), t0);

        assertThat(f.getStatus()).isEqualTo(FederationStatus.RUNNING);
        assertThat(f.getRounds()).hasSize(1);
        Round r = f.openRound().orElseThrow();
        assertThat(r.getNumber()).isEqualTo(1);
        assertThat(r.getStatus()).isEqualTo(RoundStatus.OPEN);
        assertThat(r.getDeadline()).isEqualTo(t0.plus(Duration.ofMinutes(5)));
    }

    @Test
    void acceptsOneUpdatePerParticipatingSite() {
        Round r = new Federation(plan(3, 2), t0).openRound().orElseThrow();

        r.accept(energy, content(10), t0.plusSeconds(1));

        assertThat(r.hasUpdateFrom("energy")).isTrue();
        assertThat(r.hasQuorum()).isFalse();
        assertThatThrownBy(() -> r.accept(energy, content(10), t0.plusSeconds(2)))
                .isInstanceOf(UpdateRejectedException.class)
                .hasMessageContaining("already sent")
                .extracting(e -> ((UpdateRejectedException) e).getReason()).isEqualTo(UpdateRejectedException.Reason.DUPLICATE);
        assertThat(r.getReceipts()).hasSize(1);
    }

    @Test
    void refusesSitesOutsideThePlan() {
        Round r = new Federation(plan(3, 2), t0).openRound().orElseThrow();

        assertThatThrownBy(() -> r.accept(outsider, content(10), t0.plusSeconds(1)))
                .isInstanceOf(UpdateRejectedException.class)
                .extracting(e -> ((UpdateRejectedException) e).getReason()).isEqualTo(UpdateRejectedException.Reason.NOT_A_PARTICIPANT);
        assertThat(r.getReceipts()).isEmpty();
    }

    @Test
    void refusesLateUpdates() {
        Round r = new Federation(plan(3, 2), t0).openRound().orElseThrow();

        assertThatThrownBy(() -> r.accept(energy, content(10), t0.plus(Duration.ofMinutes(6))))
                .isInstanceOf(UpdateRejectedException.class)
                .hasMessageContaining("passed its deadline")
                .extracting(e -> ((UpdateRejectedException) e).getReason()).isEqualTo(UpdateRejectedException.Reason.ROUND_NOT_OPEN);
    }

    @Test
    void isDueAtQuorumAndAggregationOpensTheNextRound() {
        Federation f = new Federation(plan(3, 2), t0);
        Round r = f.openRound().orElseThrow();
        r.accept(energy, content(10), t0.plusSeconds(1));
        assertThat(r.isDue(t0.plusSeconds(2))).isFalse();
        r.accept(urban, content(30), t0.plusSeconds(2));
        assertThat(r.isDue(t0.plusSeconds(3))).isTrue();

        r.markAggregated(0.4, 0.9, t0.plusSeconds(3));

        assertThat(r.getStatus()).isEqualTo(RoundStatus.AGGREGATED);
        assertThat(r.getLoss()).isEqualTo(0.4);
        Round next = f.openRound().orElseThrow();
        assertThat(next.getNumber()).isEqualTo(2);
        assertThat(next.getOpenedAt()).isEqualTo(t0.plusSeconds(3));
        assertThatThrownBy(() -> r.accept(energy, content(10), t0.plusSeconds(4)))
                .isInstanceOf(UpdateRejectedException.class)
                .hasMessageContaining("is AGGREGATED, not open");
    }

    @Test
    void theLastRoundCompletesTheFederation() {
        Federation f = new Federation(plan(1, 2), t0);
        Round r = f.openRound().orElseThrow();
        r.accept(energy, content(10), t0.plusSeconds(1));
        r.accept(urban, content(10), t0.plusSeconds(1));

        r.markAggregated(0.4, 0.9, t0.plusSeconds(2));

        assertThat(f.getStatus()).isEqualTo(FederationStatus.COMPLETED);
        assertThat(f.getFinishedAt()).isEqualTo(t0.plusSeconds(2));
        assertThat(f.openRound()).isEmpty();
    }

    @Test
    void afterTheDeadlineAggregatesWithTheMinimumOfSitesOrFails() {
        Instant late = t0.plus(Duration.ofMinutes(6));
        Round enough = new Federation(plan(3, 1), t0).openRound().orElseThrow();
        enough.accept(energy, content(10), t0.plusSeconds(1));
        assertThat(enough.isDue(late)).isTrue();
        assertThat(enough.canAggregate(late)).isTrue();

        Federation short1 = new Federation(plan(3, 2), t0);
        Round tooFew = short1.openRound().orElseThrow();
        tooFew.accept(energy, content(10), t0.plusSeconds(1));
        assertThat(tooFew.isDue(late)).isTrue();
        assertThat(tooFew.canAggregate(late)).isFalse();
        assertThatThrownBy(() -> tooFew.markAggregated(0.1, 0.2, late)).isInstanceOf(IllegalStateException.class);

        tooFew.markFailed("only 1 of 2", late);

        assertThat(tooFew.getStatus()).isEqualTo(RoundStatus.FAILED);
        assertThat(short1.getStatus()).isEqualTo(FederationStatus.FAILED);
        assertThat(short1.getFailureReason()).isEqualTo("round 1 failed: only 1 of 2");
        assertThatThrownBy(() -> tooFew.markFailed("again", late)).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void receiptsRefuseNonsenseNumbers() {
        assertThatThrownBy(() -> content(0)).hasMessageContaining("sampleCount must be at least 1");
        assertThatThrownBy(() -> new UpdateReceipt.Content(5, Double.NaN, 1, "k", 1, "k"))
                .hasMessageContaining("finite");
    }

    @Test
    void withAContributionRuleTheNextRoundWaitsForValuationThenOpensWithoutWithheldSites() {
        FederationPlan plan = new FederationPlan(spec(3, 2).withIncentives(new IncentiveTerms(new java.math.BigDecimal("100"), 0.0, null)));
        Federation f = new Federation(plan, t0);
        Round first = f.openRound().orElseThrow();
        assertThat(first.isAwaitingValuation()).as("round 1 has nothing to wait for").isFalse();
        first.accept(energy, content(10), t0.plusSeconds(1));
        first.accept(urban, content(10), t0.plusSeconds(2));
        first.markAggregated(0.5, 1.0, t0.plusSeconds(3));
        f.roundAggregated(first, t0.plusSeconds(3));
        Round second = f.openRound().orElseThrow();

        assertThat(second.isAwaitingValuation()).isTrue();
        assertThat(second.offersTaskTo("energy")).isFalse();
        assertThat(second.isOpenTo("energy")).isFalse();
        assertThatThrownBy(() -> second.accept(energy, content(10), t0.plusSeconds(4)))
                .hasMessageContaining("opens once round 1 has been valued");

        second.withhold("urban", "in round 1: contribution -0.01 below the plan's minimum 0");
        second.admit(t0.plusSeconds(60));

        assertThat(second.getDeadline()).as("the deadline counts from admission").isEqualTo(t0.plusSeconds(60).plus(Duration.ofMinutes(5)));
        assertThat(second.offersTaskTo("energy")).isTrue();
        assertThat(second.offersTaskTo("urban")).isFalse();
        assertThat(second.isOpenTo("urban")).as("withheld").isFalse();
        assertThatThrownBy(() -> second.accept(urban, content(10), t0.plusSeconds(61)))
                .isInstanceOf(UpdateRejectedException.class)
                .hasMessageContaining("withheld from round 2")
                .hasMessageContaining("below the plan's minimum");
        second.accept(energy, content(10), t0.plusSeconds(62));
        assertThat(second.isOpenTo("energy")).as("answered, yet still open to it").isTrue();
        assertThat(second.offersTaskTo("energy")).as("answered").isFalse();
        assertThat(second.hasQuorum()).as("the withheld site is not waited for").isTrue();
        assertThatThrownBy(() -> second.withhold("energy", "too late")).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void incentivesArePartOfThePlanHash() {
        String without = plan(3, 2).getPlanSha256();
        FederationPlan with = new FederationPlan(spec(3, 2).withIncentives(new IncentiveTerms(new java.math.BigDecimal("100"), null, null)));

        assertThat(with.getPlanSha256()).isNotEqualTo(without);
        assertThat(with.getCanonicalJson()).contains("\"incentives\":{\"rewardPerRound\":100}");
        assertThatThrownBy(() -> new FederationPlan(spec(3, 2).withIncentives(new IncentiveTerms(new java.math.BigDecimal("-1"), null, null))))
                .hasMessageContaining("rewardPerRound must be in [0, 1e9]");
    }
}
