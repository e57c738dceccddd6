package org.civitas.domain.registry;

import org.junit.jupiter.api.Test;

import java.time.Instant;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ModelReleaseTest {

    private static final Instant NOW = Instant.parse("2026-12-05T10:00:00Z");

    private static ModelVersion evaluated() {
        ModelVersion v = ModelVersion.initial(null, "ab".repeat(32), 10, NOW);
        v.recordEvaluation("city-safety-test", 0.8, 0.7, "{}", null);
        return v;
    }

    @Test
    void goesFromProposedToReleasedToWithdrawnWithFourEyes() {
        ModelRelease r = new ModelRelease(evaluated(), " Ready for the pilot ", "admin", NOW);
        assertThat(r.getStatus()).isEqualTo(ModelRelease.Status.PROPOSED);
        assertThat(r.getNote()).isEqualTo("Ready for the pilot");
        assertThat(r.getEvalMacroF1()).isEqualTo(0.7);

        assertThatThrownBy(() -> r.decide("admin", true, "mine", NOW)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("cannot decide it: four eyes");
        r.decide("officer", true, "Evaluation is good enough", NOW.plusSeconds(60));
        assertThat(r.getStatus()).isEqualTo(ModelRelease.Status.RELEASED);
        assertThat(r.getDecidedBy()).isEqualTo("officer");
        assertThatThrownBy(() -> r.decide("other", false, "late", NOW)).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("only a proposed release is decided");

        assertThatThrownBy(() -> r.withdraw("officer", " ", NOW)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("reason must be 1-1000 characters");
        assertThat(r.getStatus()).as("a refused withdrawal changes nothing").isEqualTo(ModelRelease.Status.RELEASED);
        r.withdraw("officer", "A member revoked its consent", NOW.plusSeconds(120));
        assertThat(r.getStatus()).isEqualTo(ModelRelease.Status.WITHDRAWN);
        assertThatThrownBy(() -> r.withdraw("officer", "again", NOW)).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void onlyAnEvaluatedVersionIsProposedAndARejectedOneIsNotWithdrawn() {
        assertThatThrownBy(() -> new ModelRelease(ModelVersion.initial(null, "cd".repeat(32), 10, NOW), "note", "admin", NOW))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("has no evaluation on a test split");
        ModelRelease r = new ModelRelease(evaluated(), "note", "admin", NOW);
        r.decide("officer", false, "Macro-F1 too low for the pilot", NOW);
        assertThat(r.getStatus()).isEqualTo(ModelRelease.Status.REJECTED);
        assertThatThrownBy(() -> r.withdraw("officer", "reason", NOW)).isInstanceOf(IllegalStateException.class);
    }
}
