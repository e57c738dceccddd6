package org.civitas.worker;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDManager;
import org.civitas.federation.core.model.manifest.ModelManifest;
import org.civitas.federation.core.tensor.NamedTensors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The MiniLM text tower rebuilt on DJL from its ONNX file computes what ONNX Runtime computes with it. */
class TransformerEncoderTest {

    private static NDManager manager;
    private static NamedTensors weights;

    @BeforeAll
    static void load() {
        manager = Engine.getEngine("PyTorch").newBaseManager();
        ModelManifest.TextTower spec = ModelManifest.citySafetyDefault().text();
        weights = OnnxWeights.read(Artifacts.read(spec.artifact(), "text.artifact", spec.sha256()));
    }

    @AfterAll
    static void close() {
        manager.close();
    }

    @Test
    void theOnnxFilesWeightsAreReadUnderTheirPyTorchNamesAndShapes() {
        assertThat(weights.get("embeddings.word_embeddings.weight").shape()).containsExactly(30522, 384);
        assertThat(weights.get("encoder.layer.3.attention.self.query.weight").shape()).containsExactly(384, 384);
        assertThat(weights.get("encoder.layer.5.intermediate.dense.weight").shape()).as("[out, in], as PyTorch stores it")
                .containsExactly(1536, 384);
        assertThat(weights.get("encoder.layer.5.output.dense.weight").shape()).containsExactly(384, 1536);
        assertThat(weights.names()).noneMatch(n -> n.startsWith("onnx::")).doesNotContain("embeddings.position_ids");
        assertThat(weights.names().stream().filter(n -> n.endsWith(".weight"))).hasSize(6 * 8 + 4);
    }

    @Test
    void itsEmbeddingsEqualOnnxRuntimesWithin1eMinus4On200Sentences() {
        ModelManifest.TextTower spec = ModelManifest.citySafetyDefault().text();
        List<String> sentences = sentences(200);
        try (TextTower onnx = new TextTower(spec, "cpu", 2); TransformerEncoder djl = new TransformerEncoder(weights, 12, manager)) {
            assertThat(djl.layers()).isEqualTo(6);
            double worst = 0;
            for (int from = 0; from < sentences.size(); from += 25) {
                List<String> batch = sentences.subList(from, from + 25);
                float[][] expected = onnx.embed(batch);
                TextTower.Tokens tokens = onnx.tokens(batch);
                float[][] actual = djl.pooled(tokens.ids(), tokens.mask(), tokens.types());
                for (int i = 0; i < batch.size(); i++) {
                    for (int d = 0; d < 384; d++) {
                        worst = Math.max(worst, Math.abs(expected[i][d] - actual[i][d]));
                    }
                }
            }
            assertThat(worst).as("largest difference of any coordinate of 200 embeddings").isLessThan(1e-4);
        }
    }

    @Test
    void aFileWithoutTheEncodersLayersIsRefusedNamingWhatIsMissing() {
        NamedTensors noLayers = NamedTensors.builder().put("embeddings.word_embeddings.weight", weights.get("embeddings.word_embeddings.weight"))
                .build();
        assertThatThrownBy(() -> new TransformerEncoder(noLayers, 12, manager))
                .hasMessageContaining("the encoder has no float weight encoder.layer.0.attention.self.query.weight");
        assertThatThrownBy(() -> new TransformerEncoder(weights, 7, manager)).hasMessage("text.heads: 7 heads do not divide the hidden width 384");
    }

    /** Sentences of 2 to 40 words from a small vocabulary, so that batches pad and some reach the tower's token limit. */
    private static List<String> sentences(int count) {
        String[] words = ("smoke rises from the substation transformer water floods basement car park after heavy rain gas smell"
                + " in stairwell lift stuck resident inside sparks meter cupboard door lock broken street light out corner"
                + " crew sent urgent routine please repaint railing boiler service yearly").split(" ");
        Random random = new Random(20261205);
        List<String> out = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            int length = 2 + random.nextInt(39);
            StringBuilder s = new StringBuilder();
            for (int w = 0; w < length; w++) {
                s.append(w == 0 ? "" : " ").append(words[random.nextInt(words.length)]);
            }
            out.add(s.append('.').toString());
        }
        return out;
    }
}
