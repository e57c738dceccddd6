package org.civitas.worker;

import org.civitas.federation.core.model.manifest.ModelManifest;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
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

    /** The test encoder an operator would upload: hashed word vectors, 32 wide (src/test/onnx/make_text_encoders.py). */
    static final String HASHED_WORDS = "32ad24f7a6bea0946397944b7ac6bb2f1f0537a27dd6fe1f5dbddf77a7ed340b";

    /** The operator's encoder and MiniLM's tokenizer.json, each in the artifact folder under its hash; answers the tokenizer's hash. */
    static String operatorArtifacts(Path folder) throws Exception {
        Files.write(folder.resolve(HASHED_WORDS), TextTowerTest.class.getResourceAsStream("/onnx/hashed-words32.onnx").readAllBytes());
        byte[] tokenizer = TextTowerTest.class.getClassLoader().getResourceAsStream("all-minilm-l6-v2-tokenizer.json").readAllBytes();
        String tokenizerSha = Artifacts.sha256(tokenizer);
        Files.write(folder.resolve(tokenizerSha), tokenizer);
        return tokenizerSha;
    }

    static ModelManifest.TextTower operatorTower(String tokenizerSha, int dim) {
        return new ModelManifest.TextTower("onnx", "sha256:" + HASHED_WORDS, "sha256:" + tokenizerSha, HASHED_WORDS, dim, 64);
    }

    @Test
    void anOperatorsEncoderAndTokenizerAreReadByTheirHashesAndPooledOverTheMask(@TempDir Path folder) throws Exception {
        String tokenizerSha = operatorArtifacts(folder);

        try (TextTower operator = new TextTower(operatorTower(tokenizerSha, 32), "cpu", 1, folder.toString())) {
            float[][] v = operator.embed(List.of("the boiler is leaking", "the boiler is leaking again and again today",
                    "the boiler is leaking"));
            assertThat(v[0]).hasSize(32);
            assertThat(cosine(v[0], v[0])).isCloseTo(1.0, within(1e-4));
            assertThat(v[2]).as("padding in a longer batch does not change a text's vector").containsExactly(v[0]);
            assertThat(cosine(v[0], v[1])).as("texts sharing words are closer than random vectors").isGreaterThan(0.5);
        }
    }

    @Test
    void anOperatorsEncoderIsRefusedByFieldWhenItsWidthOrATokenizersHashDisagrees(@TempDir Path folder) throws Exception {
        String tokenizerSha = operatorArtifacts(folder);

        assertThatThrownBy(() -> new TextTower(operatorTower(tokenizerSha, 384), "cpu", 1, folder.toString()))
                .hasMessage("text.dim: the encoder's output has 32 features, the manifest says 384");
        Files.write(folder.resolve(tokenizerSha), "{}".getBytes());
        assertThatThrownBy(() -> new TextTower(operatorTower(tokenizerSha, 32), "cpu", 1, folder.toString()))
                .hasMessageStartingWith("text.tokenizer: '" + folder.resolve(tokenizerSha) + "' has sha256 44136fa3");
    }
}
