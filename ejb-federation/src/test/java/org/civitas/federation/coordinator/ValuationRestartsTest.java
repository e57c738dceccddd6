package org.civitas.federation.coordinator;

import org.civitas.infrastructure.persistence.FederationRepository.RoundRef;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.List;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

class ValuationRestartsTest {

    private static final Instant T0 = Instant.parse("2026-12-06T08:00:00Z");
    private final ValuationRestarts restarts = new ValuationRestarts();
    private final RoundRef round1 = new RoundRef(7, 1);
    private final RoundRef round2 = new RoundRef(7, 2);

    @Test
    void aValuationNeitherRunningNorStartedHereIsStarted() {
        // What a server that has just taken over sees: the old leader's jobs are gone with it.
        assertThat(restarts.toStart(List.of(round1, round2), Set.of(), T0)).containsExactly(round1, round2);
    }

    @Test
    void aRunningValuationIsLeftAlone() {
        assertThat(restarts.toStart(List.of(round1, round2), Set.of(round1), T0)).containsExactly(round2);
    }

    @Test
    void oneStartedHereIsStartedAgainOnlyAMinuteLaterAndOnlyIfItIsNotRunning() {
        restarts.started(round1, T0);

        assertThat(restarts.toStart(List.of(round1), Set.of(), T0.plusSeconds(59))).isEmpty();
        assertThat(restarts.toStart(List.of(round1), Set.of(round1), T0.plusSeconds(60))).isEmpty();
        assertThat(restarts.toStart(List.of(round1), Set.of(), T0.plusSeconds(60))).containsExactly(round1);
    }

    @Test
    void aRoundWantedTwiceIsStartedOnce() {
        assertThat(restarts.toStart(List.of(round1, round1), Set.of(), T0)).containsExactly(round1);
    }

    @Test
    void forgettingOldStartsMakesThemStartableAgain() {
        restarts.started(round1, T0);
        restarts.started(round2, T0.plusSeconds(30));

        restarts.forgetBefore(T0.plusSeconds(10));

        assertThat(restarts.toStart(List.of(round1, round2), Set.of(), T0.plusSeconds(40))).containsExactly(round1);
    }
}
