package org.civitas.federation.core.dataset;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

class CitySafetyGeneratorTest {

    @TempDir
    Path root;

    private static CitySafetyGenerator.Config small(long seed) {
        CitySafetyGenerator.Config d = CitySafetyGenerator.Config.defaults(seed);
        return new CitySafetyGenerator.Config(seed, 32, 100, 0.2, 10, 20, d.defectRates());
    }

    @Test
    void theSameSeedWritesByteIdenticalFiles() throws IOException {
        new CitySafetyGenerator(small(11)).generateAll(root.resolve("a"));
        new CitySafetyGenerator(small(11)).generateAll(root.resolve("b"));
        new CitySafetyGenerator(small(12)).generateAll(root.resolve("c"));

        Map<Path, byte[]> a = files(root.resolve("a"));
        Map<Path, byte[]> b = files(root.resolve("b"));
        assertThat(a.keySet()).isEqualTo(b.keySet()).hasSizeGreaterThan(300);
        a.forEach((path, bytes) -> assertThat(b.get(path)).as(path.toString()).isEqualTo(bytes));
        assertThat(Files.readAllBytes(root.resolve("c/energy/train.jsonl")))
                .isNotEqualTo(Files.readAllBytes(root.resolve("a/energy/train.jsonl")));
    }

    @Test
    void everyInjectedDefectIsInTheGroundTruthAndTheDataShowsIt() throws IOException {
        Path site = root.resolve("urban");
        List<CitySafetyGenerator.GroundTruth> truth = new CitySafetyGenerator(small(3)).generateSite(Taxonomy.URBAN, site);

        ManifestImporter.Report report = ManifestImporter.check(site.resolve("train.jsonl"), Set.copyOf(Taxonomy.LABELS), false);
        assertThat(report.errors()).isEmpty();
        Map<String, Sample> byId = new HashMap<>();
        report.samples().forEach(s -> byId.put(s.id(), s));
        assertThat(report.samples()).hasSize(80 + 2 * 2);

        Set<CitySafetyGenerator.Defect> seen = new HashSet<>();
        for (CitySafetyGenerator.GroundTruth t : truth) {
            Sample s = byId.get(t.id());
            assertThat(s).as(t.toString()).isNotNull();
            seen.add(t.defect());
            switch (t.defect()) {
                case EXACT_DUPLICATE -> {
                    Sample source = byId.get(t.sourceId());
                    assertThat(s.text()).isEqualTo(source.text());
                    assertThat(Files.readAllBytes(site.resolve(s.image()))).isEqualTo(Files.readAllBytes(site.resolve(source.image())));
                }
                case NEAR_DUPLICATE -> assertThat(byId).containsKey(t.sourceId());
                case LABEL_NOISE -> assertThat(t.detail()).startsWith("labelled " + s.label() + ", truly ");
                case PII_IN_TEXT -> assertThat(s.text()).contains(t.detail().substring(t.detail().indexOf(' ') + 1));
                case MISSING_IMAGE -> assertThat(s.hasImage()).isFalse();
                case MISSING_TEXT -> assertThat(s.hasText()).isFalse();
                default -> assertThat(s.hasImage() || s.hasText()).isTrue();
            }
        }
        assertThat(seen).containsExactlyInAnyOrder(CitySafetyGenerator.Defect.values());
        assertThat(Files.readAllLines(site.resolve("train.jsonl"))).noneMatch(l -> l.contains("defect"));
        assertThat(Files.readAllLines(site.resolve("ground_truth.jsonl"))).hasSize(truth.size());
    }

    @Test
    void domainsSeeTheirOwnClassesWithSmokeAndFloodingEverywhere() throws IOException {
        new CitySafetyGenerator(small(5)).generateAll(root);
        for (String domain : List.of(Taxonomy.ENERGY, Taxonomy.COMMUNITY, Taxonomy.URBAN)) {
            Set<String> labels = new HashSet<>(ManifestImporter.check(root.resolve(domain).resolve("heldout.jsonl"),
                    Set.copyOf(Taxonomy.LABELS), false).summary().labelHistogram().keySet());
            assertThat(Taxonomy.classesOf(domain)).containsAll(labels);
        }
        assertThat(Taxonomy.classesOf(Taxonomy.ENERGY)).contains("smoke_fire", "flooding").doesNotContain("road_damage");
        assertThat(Taxonomy.classesOf(Taxonomy.URBAN)).contains("smoke_fire", "flooding").doesNotContain("gas_leak");
        assertThat(ManifestImporter.check(root.resolve("test/test.jsonl"), Set.copyOf(Taxonomy.LABELS), false).summary().samples()).isEqualTo(30);
        assertThat(ManifestImporter.check(root.resolve("public/train.jsonl"), Set.copyOf(Taxonomy.LABELS), false).summary().samples()).isEqualTo(20);
    }

    private static Map<Path, byte[]> files(Path dir) throws IOException {
        Map<Path, byte[]> files = new HashMap<>();
        try (Stream<Path> all = Files.walk(dir)) {
            for (Path p : all.filter(Files::isRegularFile).toList()) {
                files.put(dir.relativize(p), Files.readAllBytes(p));
            }
        }
        return files;
    }
}
