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

    @Test
    void theSecondShippedEncoderE5SmallLoadsFromItsJarAndSeparatesIncidents() {
        ModelManifest.TextTower e5 = ModelManifest.parse("""
                {"name": "e5", "text": {"kind": "onnx", "artifact": "classpath:e5-small-v2-q.onnx",
                 "tokenizer": "classpath:e5-small-v2-q-tokenizer.json",
                 "sha256": "7d9092cb25f2bd1c023b7e8d2aa459044a02030ac880e5a59fdaf27af69f1ded", "dim": 384, "maxTokens": 128},
                 "fusion": {"hidden": 8, "seed": 1}, "adapter": {"rank": 2, "alpha": 4, "targets": ["fusion"]}}
                """).text();
        try (TextTower tower = new TextTower(e5, "cpu", 2)) {
            float[][] v = tower.embed(List.of(
                    "query: Thick smoke is rising from the substation transformer.",
                    "query: A fire broke out at the transformer and smoke is visible.",
                    "query: Water is flooding the basement car park after heavy rain."));

            assertThat(v[0]).hasSize(384);
            assertThat(cosine(v[0], v[0])).isCloseTo(1.0, within(1e-4));
            assertThat(cosine(v[0], v[1])).isGreaterThan(cosine(v[0], v[2]));
        }
    }
}
