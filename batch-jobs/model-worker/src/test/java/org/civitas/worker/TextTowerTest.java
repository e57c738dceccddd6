package org.civitas.worker;

import org.civitas.federation.core.model.manifest.ModelManifest;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

/** The real all-MiniLM-L6-v2 on ONNX Runtime. */
class TextTowerTest {

    private static TextTower tower;

    @BeforeAll
    static void load() {
        tower = new TextTower(ModelManifest.citySafetyDefault().text(), "cpu", 2);
    }

    @AfterAll
    static void close() {
        tower.close();
    }

    private static double cosine(float[] a, float[] b) {
        double dot = 0;
        for (int i = 0; i < a.length; i++) {
            dot += a[i] * b[i];
        }
        return dot;
    }

    @Test
    void embeddingsAreUnitLengthAndCloseForSimilarIncidents() {
        float[][] v = tower.embed(List.of(
                "Thick smoke is rising from the substation transformer.",
                "A fire broke out at the transformer and smoke is visible.",
                "Water is flooding the basement car park after heavy rain."));

        for (float[] e : v) {
            assertThat(e).hasSize(384);
            assertThat(cosine(e, e)).isCloseTo(1.0, within(1e-4));
        }
        assertThat(cosine(v[0], v[1])).isGreaterThan(cosine(v[0], v[2]) + 0.2);
    }

    @Test
    void batchingDoesNotChangeAnEmbeddingAndAMissingTextIsZero() {
        float[] alone = tower.embed(List.of("Streetlight out on the corner of 5th and Main.")).clone()[0].clone();
        float[][] batch = tower.embed(List.of("A much longer report that forces padding of the shorter one in the same batch, "
                + "describing a broken water main and a closed road near the school.", "Streetlight out on the corner of 5th and Main."));
        float[][] missing = tower.embed(Arrays.asList(null, " "));

        for (int i = 0; i < 384; i++) {
            assertThat(batch[1][i]).isCloseTo(alone[i], within(1e-4f));
        }
        assertThat(missing[0]).containsOnly(0f);
        assertThat(missing[1]).containsOnly(0f);
    }

    @Test
    void aTowerWhoseHashDiffersFromTheManifestIsRefusedByField() {
        ModelManifest.TextTower spec = ModelManifest.citySafetyDefault().text();
        ModelManifest.TextTower wrong = new ModelManifest.TextTower(spec.kind(), spec.artifact(), spec.tokenizer(), "0".repeat(64),
                spec.dim(), spec.maxTokens());

        assertThatThrownBy(() -> new TextTower(wrong, "cpu", 1))
                .hasMessageStartingWith("text.artifact: 'classpath:all-minilm-l6-v2.onnx' has sha256 759c3cd2");
    }
}
