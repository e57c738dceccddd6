package org.civitas.worker;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import org.civitas.federation.core.model.manifest.ModelManifest;
import org.civitas.federation.core.model.manifest.MultimodalWeights;
import org.civitas.federation.core.tensor.NamedTensors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A CNN tower declared block by block trains on images where what matters is where things are:
 * the flattened map keeps it, dropout acts only while training, and a grayscale tower reads RGB
 * input as its mean.
 */
class CnnTowerTrainingTest {

    private static final ModelManifest MANIFEST = ModelManifest.parse("""
            {"name": "grey-quadrants", "image": {"kind": "cnn", "size": 16, "inputChannels": 1,
              "blocks": [{"channels": 8, "kernel": 3, "pool": 2}, {"channels": 8, "residual": true, "pool": 2}],
              "norm": "group", "groups": 4, "dense": [32], "dropout": 0.3},
             "fusion": {"hidden": 16, "seed": 9}, "adapter": {"rank": 2, "alpha": 4, "targets": ["fusion"]}}""")
            .withLabels(List.of("top-left", "top-right", "bottom-left", "bottom-right"));

    private static NDManager manager;

    @BeforeAll
    static void engine() {
        manager = Engine.getEngine("PyTorch").newBaseManager();
    }

    @AfterAll
    static void close() {
        manager.close();
    }

    /** A bright square in one quadrant on noise, the label its quadrant; every image the same brightness overall. */
    private static LabeledBatchSource quadrants(int n, long seed, int channels) {
        Random random = new Random(seed);
        float[][] images = new float[n][];
        int[] labels = new int[n];
        for (int i = 0; i < n; i++) {
            int quadrant = random.nextInt(4);
            float[] x = new float[channels * 256];
            int top = (quadrant / 2) * 8 + 1 + random.nextInt(3);
            int left = (quadrant % 2) * 8 + 1 + random.nextInt(3);
            for (int p = 0; p < 256; p++) {
                int row = p / 16;
                int col = p % 16;
                boolean inside = row >= top && row < top + 4 && col >= left && col < left + 4;
                float v = (inside ? 0.8f : -0.2f) + 0.2f * (float) random.nextGaussian();
                for (int c = 0; c < channels; c++) {
                    x[c * 256 + p] = v;
                }
            }
            images[i] = x;
            labels[i] = quadrant;
        }
        return new LabeledBatchSource(null, images, labels, 16, new String[n]);
    }

    @Test
    void aResidualGroupNormTowerLearnsWhereTheSquareIsFromRgbInputItReadsAsGrey() {
        LabeledBatchSource train = quadrants(400, 1, 3);
        LabeledBatchSource heldout = quadrants(200, 2, 3);
        NamedTensors initial = MultimodalWeights.initialState(MANIFEST);
        try (MultimodalModel model = new MultimodalModel(MANIFEST, manager)) {
            model.load(initial);
            double before = LocalTraining.evaluate(model, heldout, 64).accuracy();

            LocalTraining.Outcome outcome = LocalTraining.train(model, initial, train, new LocalTraining.Hyper(6, 0.01, 32, 3, 0),
                    (a, b, c) -> { });
            double after = LocalTraining.evaluate(model, heldout, 64).accuracy();

            assertThat(outcome.delta().names()).isEqualTo(MANIFEST.trainableShapes().keySet());
            assertThat(outcome.delta().get("image.norm2b.weight").values()).as("the residual branch trained").isNotEqualTo(new float[8]);
            assertThat(before).isLessThan(0.45);
            assertThat(after).as("held-out accuracy after training, from " + before).isGreaterThan(0.9);

            // The same pixels on one channel give the same answer: a grey tower reads RGB as its mean.
            LabeledBatchSource grey = quadrants(200, 2, 1);
            int[] fromRgb = new int[200];
            int[] fromGrey = new int[200];
            LocalTraining.predict(model, heldout, 64, fromRgb);
            LocalTraining.predict(model, grey, 64, fromGrey);
            assertThat(fromGrey).isEqualTo(fromRgb);
        }
    }

    /** The same tower on a pretrained base, every layer adapted by LoRA: frozen at the base, only A, B and the norms trained. */
    private static ModelManifest adapted(String targets, List<String> labels) {
        return ModelManifest.parse("""
                {"name": "grey-halves", "image": {"kind": "cnn", "size": 16, "inputChannels": 1,
                  "blocks": [{"channels": 8, "kernel": 3, "pool": 2}, {"channels": 8, "residual": true, "pool": 2}],
                  "norm": "group", "groups": 4, "dense": [32], "dropout": 0.3, "base": "sha256:%s"},
                 "fusion": {"hidden": 16, "seed": 9}, "adapter": {"rank": 2, "alpha": 4, "targets": [%s]}}"""
                .formatted("0".repeat(64), targets)).withLabels(labels);
    }

    /** A left or right label for the quadrants' images. */
    private static LabeledBatchSource halves(LabeledBatchSource quadrants) {
        int[] labels = java.util.Arrays.stream(quadrants.labels()).map(q -> q % 2).toArray();
        return new LabeledBatchSource(null, quadrants.images(), labels, 16, new String[labels.length]);
    }

    /** The tower's tensors of a trained model's state: what a pretraining run keeps as the base. */
    private static NamedTensors tower(NamedTensors state) {
        NamedTensors.Builder b = NamedTensors.builder();
        state.forEach((name, t) -> {
            if (name.startsWith("image.")) {
                b.put(name, t);
            }
        });
        return b.build();
    }

    @Test
    void aPretrainedTowerAdaptedByLoraStartsExactlyAtItsBaseLearnsANewTaskAndLeavesTheBaseFrozen() {
        NamedTensors pretrainedInitial = MultimodalWeights.initialState(MANIFEST);
        NamedTensors base;
        try (MultimodalModel model = new MultimodalModel(MANIFEST, manager)) {
            LocalTraining.train(model, pretrainedInitial, quadrants(400, 1, 1), new LocalTraining.Hyper(4, 0.01, 32, 3, 0),
                    (a, b, c) -> { });
            base = tower(model.state());
        }
        List<String> sides = List.of("left", "right");
        ModelManifest lora = adapted("\"image.conv1\", \"image.conv2\", \"image.dense1\", \"fusion\"", sides);
        ModelManifest full = adapted("\"fusion\"", sides);
        LabeledBatchSource train = halves(quadrants(48, 7, 1));
        LabeledBatchSource heldout = halves(quadrants(200, 8, 1));

        try (MultimodalModel adapted = new MultimodalModel(lora, manager, null, base);
             MultimodalModel fullyTrained = new MultimodalModel(full, manager, null, base);
             NDManager batch = manager.newSubManager()) {
            NDArray images = batch.create(pixels(heldout, 32), new Shape(32, 1, 16, 16));
            assertThat(adapted.forward(null, images, null, null, null, false).toFloatArray())
                    .as("B starts at zero, so version 0 is the base itself")
                    .containsExactly(fullyTrained.forward(null, images, null, null, null, false).toFloatArray(),
                            org.assertj.core.data.Offset.offset(1e-5f));

            NamedTensors initial = MultimodalWeights.initialState(lora, base);
            LocalTraining.Outcome outcome = LocalTraining.train(adapted, initial, train, new LocalTraining.Hyper(15, 0.01, 16, 5, 0),
                    (a, b, c) -> { });
            double accuracy = LocalTraining.evaluate(adapted, heldout, 64).accuracy();

            assertThat(outcome.delta().names()).contains("image.conv1.lora_A.weight", "image.conv2b.lora_B.weight",
                    "image.dense1.lora_B.weight", "image.norm1.weight").doesNotContain("image.conv1.weight", "image.dense1.bias");
            assertThat(outcome.delta().get("image.conv2b.lora_B.weight").values()).as("the residual branch's LoRA trained")
                    .isNotEqualTo(new float[8 * 2]);
            adapted.frozenState().forEach((name, t) -> {
                if (name.startsWith("image.")) {
                    assertThat(t.values()).as(name + " stays at the base").isEqualTo(base.get(name).values());
                }
            });
            assertThat(accuracy).as("left or right from 48 samples, on the frozen base with LoRA").isGreaterThan(0.85);
        }
    }

    private static float[] pixels(LabeledBatchSource data, int n) {
        float[] pixels = new float[n * 256];
        for (int i = 0; i < n; i++) {
            System.arraycopy(data.images()[i], 0, pixels, i * 256, 256);
        }
        return pixels;
    }

    @Test
    void anAdaptedTowersPassesLeaveNothingOnTheModelEither() {
        NamedTensors base = tower(MultimodalWeights.initialState(MANIFEST));
        ModelManifest lora = adapted("\"image.conv1\", \"image.conv2\", \"image.dense1\"", List.of("left", "right"));
        LabeledBatchSource train = halves(quadrants(64, 6, 1));
        NamedTensors initial = MultimodalWeights.initialState(lora, base);
        try (MultimodalModel model = new MultimodalModel(lora, manager, null, base)) {
            LocalTraining.train(model, initial, train, new LocalTraining.Hyper(1, 0.01, 16, 1, 0.1), (a, b, c) -> { });
            int afterOneRun = model.heldArrays();
            LocalTraining.train(model, initial, train, new LocalTraining.Hyper(3, 0.01, 16, 2, 0.1), (a, b, c) -> { });

            assertThat(model.heldArrays()).as("arrays on the model's manager after two runs, against " + afterOneRun + " after one")
                    .isEqualTo(afterOneRun);
        }
    }

    @Test
    void trainingRunsLeaveNothingOnTheModelSoAWarmWorkerDoesNotGrowRoundByRound() {
        LabeledBatchSource train = quadrants(64, 6, 1);
        NamedTensors initial = MultimodalWeights.initialState(MANIFEST);
        try (MultimodalModel model = new MultimodalModel(MANIFEST, manager)) {
            // FedProx's proximal term, Adam's moments and every pass's views of the parameters.
            LocalTraining.train(model, initial, train, new LocalTraining.Hyper(1, 0.01, 16, 1, 0.1), (a, b, c) -> { });
            int afterOneRun = model.heldArrays();
            for (int run = 2; run <= 4; run++) {
                LocalTraining.train(model, initial, train, new LocalTraining.Hyper(2, 0.01, 16, run, 0.1), (a, b, c) -> { });
            }

            assertThat(model.heldArrays()).as("arrays on the model's manager after four runs, against " + afterOneRun + " after one")
                    .isEqualTo(afterOneRun);
        }
    }

    @Test
    void dropoutActsWhileTrainingOnlySoEvaluationIsRepeatable() {
        try (MultimodalModel model = new MultimodalModel(MANIFEST, manager); NDManager batch = manager.newSubManager()) {
            LabeledBatchSource data = quadrants(16, 4, 1);
            float[] pixels = new float[16 * 256];
            for (int i = 0; i < 16; i++) {
                System.arraycopy(data.images()[i], 0, pixels, i * 256, 256);
            }
            NDArray images = batch.create(pixels, new Shape(16, 1, 16, 16));

            float[] evaluated = model.forward(null, images, null, null, null, false).toFloatArray();
            float[] again = model.forward(null, images, null, null, null, false).toFloatArray();
            float[] trainingPass = model.forward(null, images, null, null, null, true).toFloatArray();

            assertThat(again).isEqualTo(evaluated);
            assertThat(trainingPass).isNotEqualTo(evaluated);
        }
    }
}
