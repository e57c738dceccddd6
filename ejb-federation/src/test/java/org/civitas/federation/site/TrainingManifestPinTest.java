package org.civitas.federation.site;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class TrainingManifestPinTest {

    @TempDir
    Path site;

    private Path manifest(String name, String content) throws IOException {
        Path m = site.resolve("datasets/city-safety").resolve(name);
        Files.createDirectories(m.getParent());
        Files.writeString(m, content);
        return m;
    }

    @Test
    void theFirstRoundPinsItsChoiceAndLaterRoundsReadThePinnedManifestWhateverIsNewer() throws IOException {
        Path raw = manifest("train.jsonl", "{\"id\":\"1\",\"text\":\"a\"}\n");
        TrainingManifestPin.Choice first = TrainingManifestPin.choose(site, 7, Optional.empty(), () -> raw);
        assertThat(first.manifest()).isEqualTo(raw);
        assertThat(first.relative()).isEqualTo("datasets/city-safety/train.jsonl");
        assertThat(first.sha256()).matches("[0-9a-f]{64}");

        // A quality run has since curated the data: a later round still reads what round 1 pinned
        Path curated = manifest("train.curated-3.jsonl", "{\"id\":\"1\",\"text\":\"[redacted]\"}\n");
        TrainingManifestPin.Choice later = TrainingManifestPin.choose(site, 7,
                Optional.of(new TrainingManifestPin.Pin(first.relative(), first.sha256(), 1)), () -> curated);
        assertThat(later).isEqualTo(first);
    }

    @Test
    void aPinnedManifestWhoseBytesChangedIsRefusedNamingBothHashes() throws IOException {
        Path raw = manifest("train.jsonl", "{\"id\":\"1\",\"text\":\"a\"}\n");
        TrainingManifestPin.Choice first = TrainingManifestPin.choose(site, 7, Optional.empty(), () -> raw);
        Files.writeString(raw, "{\"id\":\"1\",\"text\":\"a\"}\n{\"id\":\"2\",\"text\":\"b\"}\n");

        assertThatThrownBy(() -> TrainingManifestPin.choose(site, 7,
                Optional.of(new TrainingManifestPin.Pin(first.relative(), first.sha256(), 1)), () -> raw))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageStartingWith("the manifest datasets/city-safety/train.jsonl that round 1 of federation 7 trained on has changed"
                        + " (SHA-256 " + first.sha256() + ", now ")
                .hasMessageEndingWith("a federation trains on one version of the data");
    }
}
