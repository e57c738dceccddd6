package org.civitas.worker;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDManager;
import org.civitas.federation.core.dataset.ManifestImporter;
import org.civitas.federation.core.dataset.Sample;
import org.civitas.federation.core.model.manifest.ModelManifest;
import org.civitas.federation.core.model.manifest.MultimodalWeights;
import org.civitas.federation.core.tensor.NamedTensors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Models of one modality train on data of that modality alone: a text-only model never sees an
 * image (not even a blank one), an image-only model never embeds a text.
 */
class OneModalityTrainingTest {

    private static final String MINILM = """
            "text": {"kind": "onnx", "artifact": "classpath:all-minilm-l6-v2.onnx", "tokenizer": "classpath:all-minilm-l6-v2-tokenizer.json",
                     "sha256": "759c3cd2b7fe7e93933ad23c4c9181b7396442a2ed746ec7c1d46192c469c46e", "dim": 384, "maxTokens": 64}""";

    private static NDManager manager;

    @TempDir
    static Path folder;

    @BeforeAll
    static void engine() {
        manager = Engine.getEngine("PyTorch").newBaseManager();
    }

    @AfterAll
    static void close() {
        manager.close();
    }

    @Test
    void aTextOnlyModelLearnsATwoLabelTaskFromWordingAlone() throws IOException {
        ModelManifest manifest = ModelManifest.parse("{\"name\": \"reports\", " + MINILM + """
                , "fusion": {"hidden": 32, "seed": 11}, "adapter": {"rank": 4, "alpha": 8, "targets": ["text_proj", "fusion"]}}
                """).withLabels(SyntheticTasks.TICKET_LABELS);
        Path train = SyntheticTasks.tickets(folder.resolve("tickets"), "train", 80, -1, 1);
        Path heldout = SyntheticTasks.tickets(folder.resolve("tickets"), "heldout", 40, -1, 2);

        try (TextTower text = new TextTower(manifest.text(), "cpu", 2); MultimodalModel model = new MultimodalModel(manifest, manager)) {
            LabeledBatchSource trainData = source(manifest, train, text, null);
            LabeledBatchSource heldoutData = source(manifest, heldout, text, null);
            assertThat(trainData.images()).as("no placeholder images").isNull();

            double before = LocalTraining.evaluate(model, heldoutData, 32).accuracy();
            LocalTraining.Outcome outcome = LocalTraining.train(model, MultimodalWeights.initialState(manifest), trainData,
                    new LocalTraining.Hyper(8, 0.01, 16, 3, 0), (a, b, c) -> { });
            double after = LocalTraining.evaluate(model, heldoutData, 32).accuracy();

            assertThat(outcome.delta().names()).containsExactlyElementsOf(manifest.trainableShapes().keySet())
                    .noneMatch(n -> n.startsWith("image."));
            assertThat(after).as("held-out accuracy before %s, after %s", before, after).isGreaterThan(0.85);
        }
    }

    @Test
    void anImageOnlyModelLearnsTenHuesWithoutAnyText() throws IOException {
        List<String> labels = SyntheticTasks.HUES;
        ModelManifest manifest = ModelManifest.parse("""
                {"name": "colours", "image": {"kind": "cnn", "size": 16, "channels": [8, 16]},
                 "fusion": {"hidden": 32, "seed": 5}, "adapter": {"rank": 4, "alpha": 8, "targets": ["fusion"]}}
                """).withLabels(labels);
        Path train = SyntheticTasks.hues(folder.resolve("hues"), "train", 160, -1, 1);
        Path heldout = SyntheticTasks.hues(folder.resolve("hues"), "heldout", 60, -1, 2);

        try (MultimodalModel model = new MultimodalModel(manifest, manager)) {
            ImageTensors images = new ImageTensors(manifest.image().size());
            LabeledBatchSource trainData = source(manifest, train, null, images);
            LabeledBatchSource heldoutData = source(manifest, heldout, null, images);
            assertThat(trainData.text()).as("no placeholder texts").isNull();

            LocalTraining.train(model, MultimodalWeights.initialState(manifest), trainData, new LocalTraining.Hyper(15, 0.02, 16, 3, 0),
                    (a, b, c) -> { });
            double after = LocalTraining.evaluate(model, heldoutData, 32).accuracy();

            assertThat(after).as("held-out accuracy of 10 labels (chance 0.1)").isGreaterThan(0.6);
        }
    }

    @Test
    void aSiteWithoutImagesLeavesATwoTowerModelsImageTowerExactlyWhereItWas() throws IOException {
        ModelManifest manifest = ModelManifest.parse("{\"name\": \"tickets with photos\", " + MINILM + """
                , "image": {"kind": "cnn", "size": 16, "channels": [4, 8]},
                  "fusion": {"hidden": 16, "seed": 7}, "adapter": {"rank": 2, "alpha": 4, "targets": ["text_proj", "fusion"]}}
                """).withLabels(SyntheticTasks.TICKET_LABELS);
        Path train = SyntheticTasks.tickets(folder.resolve("tickets-only"), "train", 24, 0, 1);

        try (TextTower text = new TextTower(manifest.text(), "cpu", 2); MultimodalModel model = new MultimodalModel(manifest, manager)) {
            LabeledBatchSource data = source(manifest, train, text, new ImageTensors(manifest.image().size()));
            LocalTraining.Outcome outcome = LocalTraining.train(model, MultimodalWeights.initialState(manifest), data,
                    new LocalTraining.Hyper(2, 0.01, 8, 3, 0), (a, b, c) -> { });

            assertThat(data.modalitySamples()).containsExactlyInAnyOrderEntriesOf(java.util.Map.of("text", 24, "image", 0));
            outcome.delta().forEach((name, t) -> {
                boolean moved = false;
                for (float v : t.values()) {
                    moved |= v != 0f;
                }
                // A blank image through the CNN would still move its biases; the masked tower does not move at all.
                assertThat(moved).as(name).isEqualTo(!name.startsWith("image."));
            });
            assertThat(MultimodalWeights.withoutUntrainedTowers(outcome.delta(), data.modalitySamples()).names())
                    .noneMatch(n -> n.startsWith("image.")).contains("text_proj.lora_b", "head.weight");
        }
    }

    private static LabeledBatchSource source(ModelManifest manifest, Path file, TextTower text, ImageTensors images) throws IOException {
        List<Sample> samples = ManifestImporter.check(file, new HashSet<>(manifest.labels()), false).samples();
        return LabeledBatchSource.of(samples, file.getParent(), manifest.labels(), text, images);
    }

    @Test
    void aStepWhoseLossIsNotFiniteIsSkippedAndTheModelStaysFinite() {
        ModelManifest manifest = ModelManifest.parse("{\"name\": \"reports\", " + MINILM + """
                , "fusion": {"hidden": 8, "seed": 11}, "adapter": {"rank": 2, "alpha": 4, "targets": ["text_proj", "fusion"]}}
                """).withLabels(SyntheticTasks.TICKET_LABELS);
        float[][] text = new float[4][384];
        for (int i = 0; i < 4; i++) {
            text[i][i] = 1;
        }
        text[2][5] = Float.NaN;
        LabeledBatchSource data = new LabeledBatchSource(text, null, new int[] {0, 1, 0, 1}, 0, new String[4]);
        try (MultimodalModel model = new MultimodalModel(manifest, manager)) {
            LocalTraining.Outcome outcome = LocalTraining.train(model, MultimodalWeights.initialState(manifest), data,
                    new LocalTraining.Hyper(3, 0.01, 1, 3, 0), (a, b, c) -> { });

            assertThat(Double.isFinite(outcome.trainLoss())).as("train loss %s", outcome.trainLoss()).isTrue();
            outcome.delta().forEach((name, t) -> {
                for (float v : t.values()) {
                    assertThat(Float.isFinite(v)).as(name).isTrue();
                }
            });
            assertThat(outcome.delta().get("head.bias").values()).as("the finite steps still trained").isNotEqualTo(new float[2]);
        }
    }
}
