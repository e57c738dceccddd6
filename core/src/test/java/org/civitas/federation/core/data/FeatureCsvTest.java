package org.civitas.federation.core.data;

import org.civitas.federation.core.model.LabeledFeatures;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class FeatureCsvTest {

    @TempDir
    Path dir;

    @Test
    void roundTripsAndIsDeterministicBySeed() throws IOException {
        LabeledFeatures data = SyntheticFeatureData.generate(4, new double[] {1, 0, 2}, 50, 5);
        Path file = dir.resolve("site/train.csv");

        FeatureCsv.write(data, file);
        LabeledFeatures back = FeatureCsv.read(file, 3);

        assertThat(back.labels()).containsExactly(data.labels());
        assertThat(back.features()).isDeepEqualTo(data.features());
        assertThat(back.labels()).doesNotContain(1);
        assertThat(SyntheticFeatureData.generate(4, new double[] {1, 0, 2}, 50, 5).features()).isDeepEqualTo(data.features());
    }

    @Test
    void namesTheLineOfABadRow() throws IOException {
        Path file = dir.resolve("bad.csv");
        Files.writeString(file, "label,f0,f1\n0,1.0,2.0\n3,1.0,2.0\n");
        assertThatThrownBy(() -> FeatureCsv.read(file, 3)).hasMessageContaining("line 3 has label 3 outside [0, 3)");
        Files.writeString(file, "label,f0,f1\n0,1.0\n");
        assertThatThrownBy(() -> FeatureCsv.read(file, 3)).hasMessageContaining("line 2 has 1 features, expected 2");
        Files.writeString(file, "label,f0,f1\n0,abc,1\n");
        assertThatThrownBy(() -> FeatureCsv.read(file, 3)).hasMessageContaining("line 2 is not numeric");
    }
}
