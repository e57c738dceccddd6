package org.civitas.federation.core.dataset;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

class ManifestImporterTest {

    @TempDir
    Path root;
    Path dataset;
    private final Set<String> labels = Set.copyOf(Taxonomy.LABELS);

    @BeforeEach
    void images() throws IOException {
        dataset = root.resolve("dataset");
        Files.createDirectories(dataset.resolve("images"));
        Files.write(dataset.resolve("images/a.png"), CitySafetyGenerator.png(new BufferedImage(8, 8, BufferedImage.TYPE_INT_RGB)));
        Files.writeString(dataset.resolve("images/broken.png"), "not a png");
        Files.write(root.resolve("outside.png"), CitySafetyGenerator.png(new BufferedImage(8, 8, BufferedImage.TYPE_INT_RGB)));
    }

    private Path manifest(String... lines) throws IOException {
        return Files.write(dataset.resolve("train.jsonl"), List.of(lines));
    }

    @Test
    void summarisesAGoodManifest() throws IOException {
        Path m = manifest(
                "{\"id\":\"1\",\"image\":\"images/a.png\",\"text\":\"smoke at the gate\",\"label\":\"smoke_fire\",\"scenario\":\"gate\"}",
                "",
                "{\"id\":\"2\",\"text\":\"water rising\",\"label\":\"flooding\",\"meta\":{\"camera\":\"7\"}}",
                "{\"id\":\"3\",\"image\":\"images/a.png\"}");

        ManifestImporter.Report r = ManifestImporter.check(m, labels, false);

        assertThat(r.accepted()).isTrue();
        assertThat(r.errors()).isEmpty();
        assertThat(r.summary().samples()).isEqualTo(3);
        assertThat(r.summary().images()).isEqualTo(2);
        assertThat(r.summary().texts()).isEqualTo(2);
        assertThat(r.summary().labeled()).isEqualTo(2);
        assertThat(r.summary().labelHistogram()).containsExactly(java.util.Map.entry("flooding", 1), java.util.Map.entry("smoke_fire", 1));
        assertThat(r.summary().scenarios()).containsOnlyKeys("gate");
        assertThat(r.summary().contentSha256()).hasSize(64).isEqualTo(ManifestImporter.check(m, labels, false).summary().contentSha256());
    }

    @Test
    void namesEveryBadLineAndRefusesTheManifestWhole() throws IOException {
        Path m = manifest(
                "{\"id\":\"1\",\"text\":\"fine\",\"label\":\"flooding\"}",
                "{\"id\":\"2\",\"text\":",
                "{\"id\":\"1\",\"text\":\"again\"}",
                "{\"id\":\"4\",\"label\":\"flooding\"}",
                "{\"id\":\"5\",\"text\":\"x\",\"label\":\"alien_landing\"}",
                "{\"id\":\"6\",\"image\":\"images/missing.png\"}",
                "{\"id\":\"7\",\"image\":\"images/broken.png\"}",
                "{\"id\":\"8\",\"image\":\"../outside.png\"}",
                "{\"id\":\"9\",\"image\":\"/etc/passwd\"}",
                "{\"id\":\"10\",\"text\":\"x\",\"colour\":\"red\"}",
                "[1, 2]");

        ManifestImporter.Report r = ManifestImporter.check(m, labels, false);

        assertThat(r.accepted()).isFalse();
        assertThat(r.errors()).extracting(ManifestImporter.LineError::line).containsExactly(2, 3, 4, 5, 6, 7, 8, 9, 10, 11);
        assertThat(r.errors()).extracting(ManifestImporter.LineError::error).satisfiesExactly(
                e -> assertThat(e).startsWith("bad JSON"),
                e -> assertThat(e).isEqualTo("duplicate id '1' (first on line 1)"),
                e -> assertThat(e).isEqualTo("sample '4' has neither image nor text"),
                e -> assertThat(e).isEqualTo("unknown label 'alien_landing'"),
                e -> assertThat(e).isEqualTo("image images/missing.png does not exist"),
                e -> assertThat(e).isEqualTo("image images/broken.png is not a readable image"),
                e -> assertThat(e).isEqualTo("image path '../outside.png' leaves the dataset folder"),
                e -> assertThat(e).isEqualTo("image path '/etc/passwd' leaves the dataset folder"),
                e -> assertThat(e).isEqualTo("unknown field 'colour'"),
                e -> assertThat(e).isEqualTo("not a JSON object"));
    }

    @Test
    void aTaskOfItsOwnLabelsAndModalitiesChecksTheLinesAgainstThem() throws IOException {
        Path m = manifest("{\"id\":\"1\",\"text\":\"win a prize now\",\"label\":\"spam\"}",
                "{\"id\":\"2\",\"text\":\"minutes of the meeting\",\"label\":\"ham\"}",
                "{\"id\":\"3\",\"text\":\"smoke at the gate\",\"label\":\"smoke_fire\"}",
                "{\"id\":\"4\",\"image\":\"images/a.png\",\"text\":\"see the picture\",\"label\":\"spam\"}");

        ManifestImporter.Report r = ManifestImporter.check(m, Set.of("spam", "ham"), Set.of("text"), false, 1_000_000);

        assertThat(r.accepted()).isFalse();
        assertThat(r.errors()).extracting(ManifestImporter.LineError::error).containsExactly("unknown label 'smoke_fire'",
                "sample '4' has an image, but the task reads text only");
        ManifestImporter.Report skipped = ManifestImporter.check(m, Set.of("spam", "ham"), Set.of("text"), true, 1_000_000);
        assertThat(skipped.summary().labelHistogram()).containsExactly(java.util.Map.entry("ham", 1), java.util.Map.entry("spam", 1));
        assertThat(ManifestImporter.check(manifest("{\"id\":\"1\",\"text\":\"x\",\"label\":\"spam\"}"), Set.of("spam", "ham"),
                Set.of("image"), false, 1_000_000).errors()).extracting(ManifestImporter.LineError::error)
                .containsExactly("sample '1' has a text, but the task reads image only");
    }

    @Test
    void skippingBadLinesKeepsTheGoodOnesAndListsTheRest() throws IOException {
        Path m = manifest("{\"id\":\"1\",\"text\":\"fine\"}", "{\"id\":\"2\"}", "{\"id\":\"3\",\"text\":\"also fine\"}");

        ManifestImporter.Report r = ManifestImporter.check(m, labels, true);

        assertThat(r.accepted()).isTrue();
        assertThat(r.summary().samples()).isEqualTo(2);
        assertThat(r.errors()).singleElement().extracting(ManifestImporter.LineError::line).isEqualTo(2);
    }

    @Test
    void refusesALinkThatLeadsOutOfTheFolder() throws IOException {
        Files.createSymbolicLink(dataset.resolve("images/link.png"), root.resolve("outside.png"));
        ManifestImporter.Report r = ManifestImporter.check(manifest("{\"id\":\"1\",\"image\":\"images/link.png\"}"), labels, false);
        assertThat(r.errors()).singleElement().extracting(ManifestImporter.LineError::error)
                .isEqualTo("image path 'images/link.png' leaves the dataset folder through a link");
    }
}
