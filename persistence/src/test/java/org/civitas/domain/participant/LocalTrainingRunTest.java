package org.civitas.domain.participant;

import org.junit.jupiter.api.Test;

import java.time.Instant;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class LocalTrainingRunTest {

    private final Instant t0 = Instant.parse("2026-11-01T10:00:00Z");

    @Test
    void aFailedRunIsRetriedUntilItsAttemptsAreUsedUp() {
        LocalTrainingRun run = new LocalTrainingRun("energy", 1, 2, t0);
        run.jobStarted(10);
        assertThat(run.canRetry(3)).isFalse();

        run.failed("coordinator answered 503", t0.plusSeconds(1));
        assertThat(run.canRetry(3)).isTrue();
        run.retried(11, t0.plusSeconds(2));
        assertThat(run.getStatus()).isEqualTo(LocalTrainingRun.Status.STARTED);
        assertThat(run.getAttempts()).isEqualTo(2);
        assertThat(run.getJobExecutionId()).isEqualTo(11);
        assertThat(run.getMessage()).isEqualTo("attempt 2 after: coordinator answered 503");

        run.failed("again", t0.plusSeconds(3));
        run.retried(12, t0.plusSeconds(4));
        run.failed("and again", t0.plusSeconds(5));
        assertThat(run.getAttempts()).isEqualTo(3);
        assertThat(run.canRetry(3)).isFalse();
    }

    @Test
    void onlyAFailedRunIsRetried() {
        LocalTrainingRun run = new LocalTrainingRun("energy", 1, 2, t0);
        run.jobStarted(10);
        run.uploaded("uploaded 596 bytes", t0.plusSeconds(1));
        assertThat(run.canRetry(3)).isFalse();
        assertThatThrownBy(() -> run.retried(11, t0)).hasMessage("only a failed run is retried; this one is UPLOADED");
    }

    @Test
    void recordsTheManifestItTrainsOnWithItsHash() {
        LocalTrainingRun run = new LocalTrainingRun("energy", 1, 2, java.time.Instant.parse("2026-12-05T10:00:00Z"));
        String sha = "ab".repeat(32);
        run.trainsOn("datasets/city-safety/curated/run-3.jsonl", sha);
        org.assertj.core.api.Assertions.assertThat(run.getTrainingManifest()).isEqualTo("datasets/city-safety/curated/run-3.jsonl");
        org.assertj.core.api.Assertions.assertThat(run.getManifestSha256()).isEqualTo(sha);
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> run.trainsOn("m.jsonl", "not-a-hash"))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
