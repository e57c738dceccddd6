package org.civitas.federation.site;

import org.civitas.federation.core.dataset.ManifestFormat;
import org.civitas.federation.core.dataset.Sample;
import org.civitas.federation.core.quality.Check;
import org.civitas.federation.core.quality.Finding;
import org.civitas.federation.core.quality.PiiScanner;
import org.civitas.federation.core.quality.QualityAnalysis;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class CuratedManifestWriterTest {

    @TempDir
    Path home;

    @Test
    void leavesOutExcludedLinesRedactsPersonalDataAndWritesBesideTheOriginal() throws Exception {
        Path folder = Files.createDirectories(home.resolve("data/city"));
        Path manifest = folder.resolve("manifest.jsonl");
        Files.write(manifest, List.of(
                ManifestFormat.write(new Sample("a", "img/a.png", "smoke near the substation", "fire", null, null)),
                ManifestFormat.write(new Sample("b", "img/b.png", "smoke near the substation", "fire", null, null)),
                "",
                ManifestFormat.write(new Sample("c", null, "call jane.doe@example.org about the leak", "leak", null, null))));
        QualityAnalysis.Outcome outcome = new QualityAnalysis.Outcome(List.of(
                new Finding(2, "b", Check.EXACT_DUPLICATE, 1.0, "same as a", "a"),
                new Finding(4, "c", Check.PII, 1.0, "an e-mail address", null)), null);

        String relative = new CuratedManifestWriter(PiiScanner.withDefaultNames()).write(manifest, 17, outcome, home);

        assertThat(relative).isEqualTo(Path.of("data", "city", "manifest.curated-17.jsonl").toString());
        List<Sample> curated = Files.readAllLines(home.resolve(relative)).stream().map(ManifestFormat::read).toList();
        assertThat(curated).extracting(Sample::id).containsExactly("a", "c");
        assertThat(curated.get(0).image()).as("image paths stay relative to the same folder").isEqualTo("img/a.png");
        assertThat(curated.get(1).text()).doesNotContain("jane.doe@example.org").contains("about the leak");
        assertThat(Files.list(folder)).as("no temporary file is left").hasSize(2);
    }
}
