package org.civitas.federation.infrastructure;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayInputStream;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ArtifactFilesTest {

    @Test
    void anArtifactIsKeptUnderItsHashOnlyWhenItsBytesHaveThatHash(@TempDir Path data) throws Exception {
        CivitasSettings settings = new CivitasSettings();
        settings.dataDir = data.toString();
        ArtifactFiles artifacts = new ArtifactFiles();
        artifacts.settings = settings;
        byte[] bytes = "an encoder".getBytes();
        String sha = BlobStore.sha256(bytes);
        String other = BlobStore.sha256("another".getBytes());

        assertThatThrownBy(() -> artifacts.put(new ByteArrayInputStream(bytes), other))
                .isInstanceOf(ArtifactFiles.HashMismatchException.class).hasMessage("the bytes hash to " + sha + ", not " + other);
        assertThat(artifacts.has(other)).isFalse();
        try (var left = Files.list(data.resolve("artifacts"))) {
            assertThat(left).as("no temporary file left behind").isEmpty();
        }

        assertThat(artifacts.put(new ByteArrayInputStream(bytes), sha)).isEqualTo(bytes.length);
        assertThat(artifacts.has(sha)).isTrue();
        assertThat(Files.readAllBytes(artifacts.path(sha))).isEqualTo(bytes);
        assertThat(artifacts.has("not-a-hash")).isFalse();
        assertThatThrownBy(() -> artifacts.path("../identity")).isInstanceOf(IllegalArgumentException.class);
    }
}
