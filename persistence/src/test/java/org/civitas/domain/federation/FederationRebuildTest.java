package org.civitas.domain.federation;

import org.civitas.domain.consortium.Enterprise;
import org.civitas.domain.consortium.Site;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class FederationRebuildTest {

    private final Enterprise meridian = new Enterprise("meridian-energy", "Meridian Energy", "energy");
    private final Enterprise civic = new Enterprise("civic-operations", "Civic Operations", "urban");
    private final Enterprise harbour = new Enterprise("harbourview-residential", "Harbourview", "community");
    private final Site energy = new Site("energy", "Energy", meridian, "token-of-energy-site");
    private final Site urban = new Site("urban", "Urban", civic, "token-of-urban-site!");
    private final Site community = new Site("community", "Community", harbour, "token-of-community-site");
    private final Instant t0 = Instant.parse("2026-11-01T10:00:00Z");

    private FederationPlan plan(Long seed) {
        return new FederationPlan(FederationPlan.Spec.of("test", "softmax-regression", 4, 3, "fedavg", 4, 1, 0.1, 8, 1,
                Duration.ofMinutes(5), List.of(energy, urban, community)).withSeed(seed));
    }

    private static void setId(Federation f, long id) {
        try {
            var field = Federation.class.getDeclaredField("id");
            field.setAccessible(true);
            field.set(f, id);
        } catch (ReflectiveOperationException e) {
            throw new AssertionError(e);
        }
    }

    @Test
    void aRebuildOpensTheRoundAfterItsStartVersionWithoutTheWithdrawnEnterprise() {
        Federation original = new Federation(plan(null), t0);
        setId(original, 7);

        Federation rebuild = Federation.rebuild(original, 2, 11, "civic-operations", t0.plusSeconds(60));

        assertThat(rebuild.getRounds()).extracting(Round::getNumber).containsExactly(3);
        Round first = rebuild.openRound().orElseThrow();
        assertThat(first.getWithheld()).containsOnlyKeys("urban");
        assertThat(first.getWithheld().get("urban")).contains("civic-operations").contains("withdrawn");
        assertThat(first.getDeadline()).isEqualTo(t0.plusSeconds(60).plus(Duration.ofMinutes(5)));
        assertThat(rebuild.getRebuildOf()).isSameAs(original);
        assertThat(rebuild.getRebuildStartVersion()).isEqualTo(2);
        assertThat(rebuild.getWithdrawalId()).isEqualTo(11L);
        // Trained with the replaced line's seeds.
        setId(rebuild, 9);
        assertThat(rebuild.seedBase()).isEqualTo(7L);
        assertThat(original.seedBase()).isEqualTo(7L);
        assertThat(new Federation(plan(42L), t0).seedBase()).isEqualTo(42L);
    }

    @Test
    void everyLaterRoundOfARebuildWithholdsItsExcludedEnterprisesAndARebuildOfARebuildKeepsThem() {
        Federation original = new Federation(plan(null), t0);
        Federation rebuild = Federation.rebuild(original, 0, 11, "civic-operations", t0);
        Round first = rebuild.openRound().orElseThrow();
        first.accept(energy, new UpdateReceipt.Content(10, 0.5, 1.0, "a".repeat(64), 100, "a".repeat(64)), t0);
        first.accept(community, new UpdateReceipt.Content(10, 0.5, 1.0, "b".repeat(64), 100, "b".repeat(64)), t0);
        first.markAggregated(0.4, 0.5, t0);
        rebuild.roundAggregated(first, t0);

        assertThat(rebuild.openRound().orElseThrow().getWithheld()).containsOnlyKeys("urban");
        Federation again = Federation.rebuild(rebuild, 0, 12, "meridian-energy", t0);
        assertThat(again.getExcludedEnterprises()).containsExactlyInAnyOrder("civic-operations", "meridian-energy");
        assertThat(again.openRound().orElseThrow().getWithheld()).containsOnlyKeys("urban", "energy");
        assertThatThrownBy(() -> Federation.rebuild(original, 4, 13, "civic-operations", t0))
                .hasMessageContaining("a rebuild starts from a version in [0, 3], was 4");
    }

    @Test
    void stoppingARunningFederationFailsItsOpenRoundAndOpensNoOther() {
        Federation original = new Federation(plan(null), t0);

        original.stop("line retrained", t0.plusSeconds(5));

        assertThat(original.getStatus()).isEqualTo(FederationStatus.STOPPED);
        assertThat(original.getFailureReason()).isEqualTo("line retrained");
        assertThat(original.openRound()).isEmpty();
        assertThat(original.getRounds().get(0).getStatus()).isEqualTo(RoundStatus.FAILED);
        assertThatThrownBy(() -> original.stop("again", t0)).hasMessageContaining("is STOPPED, not running");
    }
}
