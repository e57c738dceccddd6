package org.civitas.worker;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDManager;
import org.civitas.federation.core.dataset.ManifestImporter;
import org.civitas.federation.core.model.manifest.ModelManifest;
import org.civitas.federation.core.model.manifest.MultimodalWeights;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

/**
 * An operator's frozen ONNX image encoder (the small ones {@code src/test/onnx/make_image_encoders.py}
 * writes): pre-processing as the manifest declares it, the layout, the output width and the
 * artifact's hash are all checked, and an image-only model trains on its features.
 */
class ImageEncoderTest {

    private static final String MEAN_COLOUR = "0fd74ed09f88f62b7d8f2975d38d4b12b158c22b03b3bf740f992aa96c914ed6";
    private static final String MEAN_COLOUR_NHWC = "2a5649a8013e43350abb1f7d272390b11f91378bcfc66e542c035d477ea78724";
    private static final String CONV8 = "89aad4130f9cb48cbf7e508f28a76285ed668ddaf2c3f54373e434451fa3685d";

    private static ModelManifest.ImageTower tower(String file, String sha256, int dim, String layout) {
        return ModelManifest.parse("""
                {"name": "onnx-images", "image": {"kind": "onnx", "size": 8, "artifact": "classpath:onnx/%s", "sha256": "%s", "dim": %d,
                 "mean": [0.5, 0.4, 0.3], "std": [0.5, 0.25, 0.2], "layout": "%s"},
                 "fusion": {"hidden": 16, "seed": 3}, "adapter": {"rank": 2, "alpha": 4, "targets": ["fusion"]}}
                """.formatted(file, sha256, dim, layout)).image();
    }

    /** An image in ImageTensors' form: channels first, values in [-1, 1]. */
    private static float[] image(Random random) {
        float[] chw = new float[3 * 8 * 8];
        for (int i = 0; i < chw.length; i++) {
            chw[i] = random.nextFloat() * 2 - 1;
        }
        return chw;
    }

    @Test
    void theManifestsPreprocessingIsAppliedBeforeTheEncoder() {
        float[] flat = new float[3 * 64];
        java.util.Arrays.fill(flat, 0, 64, 1f);        // red at full: 1.0 in [0, 1]
        java.util.Arrays.fill(flat, 64, 128, 0f);      // green at half: 0.5
        java.util.Arrays.fill(flat, 128, 192, -1f);    // blue at zero: 0.0
        try (ImageEncoder encoder = new ImageEncoder(tower("mean-colour.onnx", MEAN_COLOUR, 3, "NCHW"), null, 1)) {
            float[] features = encoder.encode(List.of(flat))[0];

            // (value - mean) / std per channel
            assertThat(features).containsExactly(new float[] {(1f - 0.5f) / 0.5f, (0.5f - 0.4f) / 0.25f, (0f - 0.3f) / 0.2f}, within(1e-5f));
        }
    }

    @Test
    void channelsLastEncodersGetTheirLayout() {
        Random random = new Random(5);
        List<float[]> images = List.of(image(random), image(random), image(random));
        try (ImageEncoder first = new ImageEncoder(tower("mean-colour.onnx", MEAN_COLOUR, 3, "NCHW"), null, 1);
             ImageEncoder last = new ImageEncoder(tower("mean-colour-nhwc.onnx", MEAN_COLOUR_NHWC, 3, "NHWC"), null, 1)) {
            float[][] a = first.encode(images);
            float[][] b = last.encode(images);

            for (int i = 0; i < images.size(); i++) {
                assertThat(b[i]).containsExactly(a[i], within(1e-5f));
            }
        }
    }

    @Test
    void anOutputWidthOtherThanTheManifestsIsRefusedNamingTheField() {
        assertThatThrownBy(() -> new ImageEncoder(tower("conv8.onnx", CONV8, 16, "NCHW"), null, 1))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("image.dim: the encoder's output has 8 features, the manifest says 16");
        try (ImageEncoder right = new ImageEncoder(tower("conv8.onnx", CONV8, 8, "NCHW"), null, 1)) {
            assertThat(right.encode(List.of(image(new Random(1))))[0]).hasSize(8);
        }
    }

    @Test
    void anArtifactWhoseBytesDoNotMatchItsHashIsNeverLoaded() {
        assertThatThrownBy(() -> new ImageEncoder(tower("conv8.onnx", MEAN_COLOUR, 3, "NCHW"), null, 1))
                .hasMessage("image.artifact: 'classpath:onnx/conv8.onnx' has sha256 " + CONV8 + ", the manifest says " + MEAN_COLOUR);
    }

    @Test
    void anArtifactNamedByItsHashIsReadFromTheArtifactFolder(@TempDir Path folder) throws Exception {
        Files.write(folder.resolve(CONV8), getClass().getResourceAsStream("/onnx/conv8.onnx").readAllBytes());
        ModelManifest.ImageTower byHash = ModelManifest.parse("""
                {"name": "x", "image": {"kind": "onnx", "size": 8, "artifact": "sha256:%s", "sha256": "%s", "dim": 8,
                 "mean": [0, 0, 0], "std": [1, 1, 1], "layout": "NCHW"},
                 "fusion": {"hidden": 16, "seed": 3}, "adapter": {"rank": 2, "alpha": 4, "targets": ["fusion"]}}
                """.formatted(CONV8, CONV8)).image();

        try (ImageEncoder encoder = new ImageEncoder(byHash, folder.toString(), 1)) {
            assertThat(encoder.encode(List.of(image(new Random(2))))[0]).hasSize(8);
        }
        assertThatThrownBy(() -> new ImageEncoder(byHash, null, 1)).hasMessageContaining("the worker has no artifact folder");
    }

    @Test
    void anImageOnlyModelTrainsOnTheFrozenEncodersFeatures(@TempDir Path folder) throws Exception {
        ModelManifest manifest = ModelManifest.parse("""
                {"name": "hues-onnx", "image": {"kind": "onnx", "size": 16, "artifact": "classpath:onnx/conv8.onnx", "sha256": "%s",
                 "dim": 8, "mean": [0.5, 0.5, 0.5], "std": [0.25, 0.25, 0.25], "layout": "NCHW"},
                 "fusion": {"hidden": 32, "seed": 5}, "adapter": {"rank": 4, "alpha": 8, "targets": ["fusion"]}}
                """.formatted(CONV8)).withLabels(SyntheticTasks.HUES);
        Path train = SyntheticTasks.hues(folder.resolve("train"), "train", 200, -1, 1);
        Path heldout = SyntheticTasks.hues(folder.resolve("heldout"), "heldout", 100, -1, 2);

        try (NDManager manager = Engine.getEngine("PyTorch").newBaseManager();
             MultimodalModel model = new MultimodalModel(manifest, manager);
             ImageEncoder encoder = new ImageEncoder(manifest.image(), null, 1)) {
            ImageTensors pixels = new ImageTensors(manifest.image().size());
            LabeledBatchSource trainData = source(manifest, train, pixels, encoder);
            LabeledBatchSource heldoutData = source(manifest, heldout, pixels, encoder);
            assertThat(trainData.images()[0]).as("the encoder's features, not pixels").hasSize(8);
            assertThat(manifest.trainableShapes()).doesNotContainKey("image.conv1.weight");

            double before = LocalTraining.evaluate(model, heldoutData, 64).accuracy();
            LocalTraining.train(model, MultimodalWeights.initialState(manifest), trainData, new LocalTraining.Hyper(30, 0.02, 16, 3, 0),
                    (a, b, c) -> { });
            double after = LocalTraining.evaluate(model, heldoutData, 64).accuracy();

            assertThat(after).as("held-out accuracy of 10 hues before %s, after %s", before, after).isGreaterThan(0.5);
        }
    }

    private static LabeledBatchSource source(ModelManifest manifest, Path file, ImageTensors pixels, ImageEncoder encoder) throws Exception {
        return LabeledBatchSource.of(ManifestImporter.check(file, new HashSet<>(manifest.labels()), false).samples(), file.getParent(),
                manifest.labels(), null, pixels, encoder);
    }
}
