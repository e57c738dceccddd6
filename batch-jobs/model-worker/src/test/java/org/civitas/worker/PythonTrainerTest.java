package org.civitas.worker;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.civitas.federation.core.dataset.ImagePixels;
import org.civitas.federation.core.model.manifest.ModelManifest;
import org.civitas.federation.core.model.manifest.MultimodalWeights;
import org.civitas.federation.core.tensor.NamedTensors;
import org.civitas.federation.core.tensor.SafeTensors;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import javax.imageio.ImageIO;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/**
 * The reference Python trainer ({@code batch-jobs/python-trainer}) against this worker, request for
 * request: it embeds text as the Java text tower does, and its update has the same tensors (names,
 * shapes, dtypes) as this worker's, so a coordinator cannot tell them apart and their average trains
 * the model. Needs a Python with PyTorch ({@code civitas.python}); skipped without one unless
 * {@code civitas.python.required} is true, as in CI.
 */
class PythonTrainerTest {

    private static final ObjectMapper JSON = WorkerLinesClient.JSON;
    private static String python;

    @BeforeAll
    static void findPython() throws Exception {
        python = System.getProperty("civitas.python", "/usr/bin/python3");
        boolean usable;
        try {
            Process p = new ProcessBuilder(python, "-c", "import torch, numpy, PIL, onnx").redirectErrorStream(true).start();
            usable = p.waitFor(2, TimeUnit.MINUTES) && p.exitValue() == 0;
        } catch (IOException e) {
            usable = false;
        }
        if (!usable && Boolean.getBoolean("civitas.python.required")) {
            throw new IllegalStateException(python + " cannot import torch, numpy, PIL and onnx (bash .ci/ensure-python-torch.sh)");
        }
        Assumptions.assumeTrue(usable, python + " lacks PyTorch: the Python trainer is not compared (bash .ci/ensure-python-torch.sh)");
    }

    private static List<JsonNode> python(String... requests) throws Exception {
        return WorkerLinesClient.pythonTrainer(python, List.of(requests), Files.createTempFile("python-trainer", ".log"));
    }

    private static List<JsonNode> java(String... requests) throws IOException {
        return WorkerLinesClient.javaWorker(List.of(requests));
    }

    private static JsonNode resultOf(List<JsonNode> lines, String id) {
        return lines.stream().filter(l -> id.equals(l.path("id").asText()) && !"progress".equals(l.path("event").asText()))
                .findFirst().orElseThrow(() -> new AssertionError("no answer to " + id + " in " + lines));
    }

    private static String train(String id, String site, Path state, Path out) {
        return "{\"id\": \"" + id + "\", \"op\": \"train\", \"dataset\": \"" + WorkerTestData.dataset(site, "train") + "\", \"state\": \""
                + state + "\", \"out\": \"" + out + "\", \"hyper\": {\"epochs\": 2, \"learningRate\": 0.002, \"seed\": 7}}";
    }

    @Test
    void embedsTextAsTheJavaTextTowerDoes() throws Exception {
        List<String> texts = new ArrayList<>();
        for (String line : Files.readAllLines(WorkerTestData.dataset("energy", "train")).subList(0, 40)) {
            JsonNode sample = JSON.readTree(line);
            if (sample.hasNonNull("text")) {
                texts.add(sample.path("text").asText());
            }
        }
        // Accents, CJK characters, punctuation runs, a tab, an over-long word and a text past maxTokens.
        texts.add("Café – naïve résumé, 東京 (Tokyo)!! tab\there");
        texts.add("pneumonoultramicroscopicsilicovolcanoconiosis".repeat(3));
        texts.add("Water main burst near the school. ".repeat(40));
        String request = "{\"id\": \"e\", \"op\": \"embed\", \"texts\": " + JSON.writeValueAsString(texts) + "}";

        JsonNode java = resultOf(java(request), "e").path("vectors");
        JsonNode python = resultOf(python(request), "e").path("vectors");

        assertThat(python.size()).isEqualTo(texts.size());
        double largest = 0;
        for (int i = 0; i < texts.size(); i++) {
            assertThat(python.get(i).size()).isEqualTo(384);
            for (int d = 0; d < 384; d++) {
                largest = Math.max(largest, Math.abs(java.get(i).get(d).asDouble() - python.get(i).get(d).asDouble()));
            }
        }
        assertThat(largest).as("largest difference of any embedding's coordinate").isLessThan(1e-4);
    }

    @Test
    void predictsTheLabelProbabilitiesTheJavaWorkerPredicts() throws Exception {
        Path dataset = WorkerTestData.dataset("community", "heldout");
        List<String> inputs = new ArrayList<>();
        for (String line : Files.readAllLines(dataset).subList(0, 12)) {
            JsonNode sample = JSON.readTree(line);
            String text = JSON.writeValueAsString(sample.path("text").asText());
            String image = JSON.writeValueAsString(dataset.getParent().resolve(sample.path("image").asText()).toString());
            inputs.add("{\"text\": " + text + ", \"image\": " + image + "}");
            inputs.add("{\"text\": " + text + "}");
            inputs.add("{\"image\": " + image + "}");
        }
        Path trained = Files.createTempDirectory("python-trainer-predict").resolve("trained.safetensors");
        JsonNode delta = resultOf(java(train("t", "community", WorkerTestData.initialState(), trained)), "t");
        assertThat(delta.path("event").asText()).isEqualTo("result");
        Path state = trained.resolveSibling("state.safetensors");
        Files.write(state, SafeTensors.write(read(WorkerTestData.initialState()).plusScaled(read(trained), 1f)));
        String request = "{\"id\": \"p\", \"op\": \"predict\", \"state\": \"" + state + "\", \"inputs\": [" + String.join(", ", inputs) + "]}";

        JsonNode java = resultOf(java(request), "p").path("probabilities");
        JsonNode python = resultOf(python(request), "p").path("probabilities");

        assertThat(python.size()).isEqualTo(inputs.size());
        double largest = 0;
        for (int i = 0; i < inputs.size(); i++) {
            for (int c = 0; c < java.get(i).size(); c++) {
                largest = Math.max(largest, Math.abs(java.get(i).get(c).asDouble() - python.get(i).get(c).asDouble()));
            }
        }
        // The images are resized by two libraries (Java2D and PyTorch), so the pixels differ by a grey level here and there.
        assertThat(largest).as("largest difference of any label probability").isLessThan(0.02);

        // Pixels the site scaled once (as a prediction's are) are the same input to both: the two answer alike.
        List<String> scaled = new ArrayList<>();
        for (String line : Files.readAllLines(dataset).subList(0, 12)) {
            JsonNode sample = JSON.readTree(line);
            BufferedImage image = ImageIO.read(dataset.getParent().resolve(sample.path("image").asText()).toFile());
            String pixels = Base64.getEncoder().encodeToString(ImagePixels.rgb(image, ModelManifest.citySafetyDefault().image().size()));
            scaled.add("{\"text\": " + JSON.writeValueAsString(sample.path("text").asText()) + ", \"pixels\": \"" + pixels + "\"}");
        }
        String byPixels = "{\"id\": \"q\", \"op\": \"predict\", \"state\": \"" + state + "\", \"inputs\": [" + String.join(", ", scaled) + "]}";
        JsonNode javaPixels = resultOf(java(byPixels), "q").path("probabilities");
        JsonNode pythonPixels = resultOf(python(byPixels), "q").path("probabilities");
        double largestByPixels = 0;
        for (int i = 0; i < scaled.size(); i++) {
            for (int c = 0; c < javaPixels.get(i).size(); c++) {
                largestByPixels = Math.max(largestByPixels, Math.abs(javaPixels.get(i).get(c).asDouble() - pythonPixels.get(i).get(c).asDouble()));
                // The Java worker's answer from the scaled pixels is its answer from the file.
                assertThat(javaPixels.get(i).get(c).asDouble()).isCloseTo(java.get(3 * i).get(c).asDouble(),
                        org.assertj.core.api.Assertions.within(1e-6));
            }
        }
        assertThat(largestByPixels).as("largest difference of any label probability from the same pixels").isLessThan(1e-4);
    }

    @Test
    void aDeclaredCnnTowerPredictsAsInPyTorchItsGroupNormResidualBlockAndDenseLayerIncluded() throws Exception {
        Path dir = Files.createTempDirectory("python-trainer-cnn");
        ModelManifest manifest = ModelManifest.parse("""
                {"name": "grey-scans", "image": {"kind": "cnn", "size": 20, "inputChannels": 1,
                  "blocks": [{"channels": 8, "kernel": 5, "pool": 2}, {"channels": 8, "residual": true, "pool": 2},
                             {"channels": 16, "kernel": 3, "stride": 2}],
                  "norm": "group", "groups": 4, "dense": [24], "dropout": 0.5},
                 "fusion": {"hidden": 16, "seed": 3}, "adapter": {"rank": 2, "alpha": 4, "targets": ["fusion"]}}""")
                .withLabels(List.of("crack", "corrosion", "clear"));
        Path manifestFile = dir.resolve("manifest.json");
        Files.writeString(manifestFile, manifest.canonicalJson());
        // The initial state with every tensor moved off its start (a residual block's last scale starts at zero).
        java.util.Random random = new java.util.Random(5);
        Path state = dir.resolve("state.safetensors");
        Files.write(state, SafeTensors.write(moved(MultimodalWeights.initialState(manifest), random)));
        List<String> inputs = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            byte[] rgb = new byte[20 * 20 * 3];
            random.nextBytes(rgb);
            inputs.add("{\"pixels\": \"" + Base64.getEncoder().encodeToString(rgb) + "\"}");
        }
        String request = "{\"id\": \"c\", \"op\": \"predict\", \"manifest\": \"" + manifestFile + "\", \"state\": \"" + state
                + "\", \"inputs\": [" + String.join(", ", inputs) + "]}";

        JsonNode java = resultOf(java(request), "c").path("probabilities");
        JsonNode python = resultOf(python(request), "c").path("probabilities");

        assertThat(java.size()).isEqualTo(6);
        double largest = 0;
        double spread = 0;
        for (int i = 0; i < 6; i++) {
            for (int c = 0; c < 3; c++) {
                largest = Math.max(largest, Math.abs(java.get(i).get(c).asDouble() - python.get(i).get(c).asDouble()));
                spread = Math.max(spread, Math.abs(java.get(i).get(c).asDouble() - java.get(0).get(c).asDouble()));
            }
        }
        assertThat(spread).as("different images get different answers").isGreaterThan(1e-3);
        assertThat(largest).as("largest difference of any label probability").isLessThan(1e-4);
    }

    @Test
    void aPretrainedTowerWithLoraOnEveryLayerPredictsAsInPyTorchFromTheSameBaseFile() throws Exception {
        Path dir = Files.createTempDirectory("python-trainer-lora-cnn");
        Path artifacts = Files.createDirectories(dir.resolve("artifacts"));
        String tower = """
                {"kind": "cnn", "size": 16, "inputChannels": 1,
                 "blocks": [{"channels": 8, "kernel": 5, "pool": 2}, {"channels": 8, "residual": true, "pool": 2}],
                 "norm": "group", "groups": 4, "dense": [12]%s}""";
        java.util.Random random = new java.util.Random(11);
        ModelManifest plain = ModelManifest.parse("{\"name\": \"p\", \"image\": " + tower.formatted("")
                + ", \"fusion\": {\"hidden\": 8, \"seed\": 3}, \"adapter\": {\"rank\": 2, \"alpha\": 4, \"targets\": [\"fusion\"]},"
                + " \"labels\": [\"a\", \"b\"]}");
        byte[] baseFile = SafeTensors.write(moved(tower(MultimodalWeights.initialState(plain)), random));
        String sha = java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256").digest(baseFile));
        Files.write(artifacts.resolve(sha), baseFile);
        ModelManifest manifest = ModelManifest.parse("{\"name\": \"lora-scans\", \"image\": "
                + tower.formatted(", \"base\": \"sha256:" + sha + "\"") + ", \"fusion\": {\"hidden\": 8, \"seed\": 3},"
                + " \"adapter\": {\"rank\": 2, \"alpha\": 4, \"targets\": [\"image.conv1\", \"image.conv2\", \"image.dense1\", \"fusion\"]}}")
                .withLabels(List.of("crack", "corrosion", "clear"));
        Path manifestFile = dir.resolve("manifest.json");
        Files.writeString(manifestFile, manifest.canonicalJson());
        // LoRA's B moved off zero, so the adapters change what the frozen base computes.
        NamedTensors initial = MultimodalWeights.initialState(manifest, SafeTensors.read(baseFile).tensors());
        Path state = dir.resolve("state.safetensors");
        Files.write(state, SafeTensors.write(moved(initial, random)));
        List<String> inputs = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            byte[] rgb = new byte[16 * 16 * 3];
            random.nextBytes(rgb);
            inputs.add("{\"pixels\": \"" + Base64.getEncoder().encodeToString(rgb) + "\"}");
        }
        String request = "{\"id\": \"l\", \"op\": \"predict\", \"manifest\": \"" + manifestFile + "\", \"state\": \"" + state
                + "\", \"inputs\": [" + String.join(", ", inputs) + "]}";

        JsonNode java = resultOf(WorkerLinesClient.javaWorker(List.of(request), artifacts), "l").path("probabilities");
        JsonNode pyTorch = resultOf(WorkerLinesClient.pythonTrainer(python, List.of(request),
                Files.createTempFile("python-trainer", ".log"), artifacts), "l").path("probabilities");

        assertThat(java.size()).as(java.toString()).isEqualTo(6);
        double largest = 0;
        for (int i = 0; i < 6; i++) {
            for (int c = 0; c < 3; c++) {
                largest = Math.max(largest, Math.abs(java.get(i).get(c).asDouble() - pyTorch.get(i).get(c).asDouble()));
            }
        }
        assertThat(largest).as("largest difference of any label probability").isLessThan(1e-4);
    }

    private static NamedTensors tower(NamedTensors state) {
        NamedTensors.Builder b = NamedTensors.builder();
        state.forEach((name, t) -> {
            if (name.startsWith("image.")) {
                b.put(name, t);
            }
        });
        return b.build();
    }

    private static NamedTensors moved(NamedTensors state, java.util.Random random) {
        NamedTensors.Builder moved = NamedTensors.builder();
        state.forEach((name, t) -> {
            float[] v = t.values().clone();
            for (int i = 0; i < v.length; i++) {
                v[i] += (float) (0.2 * random.nextGaussian());
            }
            moved.put(name, new org.civitas.federation.core.tensor.Tensor(t.shape(), v));
        });
        return moved.build();
    }

    @Test
    void bothTrainersUpdateTheSameTensorsAndTheirFederatedAverageImprovesTheModel() throws Exception {
        Path dir = Files.createTempDirectory("python-trainer-updates");
        Path global = WorkerTestData.initialState();
        Path javaUrban = dir.resolve("java-urban.safetensors");
        Path pythonUrban = dir.resolve("python-urban.safetensors");

        JsonNode javaTrained = resultOf(java(train("j", "urban", global, javaUrban)), "j");
        List<JsonNode> pythonLines = python(train("p", "urban", global, pythonUrban), "{\"id\": \"s\", \"op\": \"shutdown\"}");
        JsonNode pythonTrained = resultOf(pythonLines, "p");

        // Same names, in the same order, with the same dtypes and shapes: the coordinator cannot tell them apart.
        assertThat(header(pythonUrban)).isEqualTo(header(javaUrban));
        assertThat(pythonTrained.path("sha256").asText()).isEqualTo(Artifacts.sha256(Files.readAllBytes(pythonUrban)));
        assertThat(pythonLines).anySatisfy(l -> assertThat(l.path("event").asText()).isEqualTo("progress"));
        // The same start state scores the same on the same data: same frozen bases, text features and images.
        assertThat(pythonTrained.path("metrics").path("globalLoss").asDouble())
                .isCloseTo(javaTrained.path("metrics").path("globalLoss").asDouble(), within(1e-3));
        assertThat(pythonTrained.path("samples").asInt()).isEqualTo(javaTrained.path("samples").asInt());
        assertThat(pythonTrained.path("modalitySamples")).isEqualTo(javaTrained.path("modalitySamples"));
        // Same data order and optimiser: on the same data the two updates point the same way.
        assertThat(cosine(read(javaUrban), read(pythonUrban))).isGreaterThan(0.9);

        // Three rounds of two sites, urban on the Java worker and energy on the Python trainer, averaged by samples.
        for (int round = 1; round <= 3; round++) {
            Path urban = dir.resolve("urban-" + round + ".safetensors");
            Path energy = dir.resolve("energy-" + round + ".safetensors");
            double nu = resultOf(java(train("j", "urban", global, urban)), "j").path("samples").asInt();
            double ne = resultOf(python(train("p", "energy", global, energy)), "p").path("samples").asInt();
            assertThat(header(energy)).isEqualTo(header(urban));
            Path next = dir.resolve("global-" + round + ".safetensors");
            Files.write(next, SafeTensors.write(read(global).plusScaled(read(urban), (float) (nu / (nu + ne)))
                    .plusScaled(read(energy), (float) (ne / (nu + ne)))));
            global = next;
        }
        for (String site : List.of("urban", "energy")) {
            List<JsonNode> evaluated = java(evaluate("0", site, WorkerTestData.initialState()), evaluate("3", site, global));
            JsonNode before = resultOf(evaluated, "0").path("metrics");
            JsonNode after = resultOf(evaluated, "3").path("metrics");
            assertThat(after.path("loss").asDouble()).as(site).isLessThan(before.path("loss").asDouble());
            assertThat(after.path("macroF1").asDouble()).as(site + ": " + before + " -> " + after).isGreaterThan(before.path("macroF1").asDouble() + 0.1);
        }
    }

    private static NamedTensors read(Path file) throws IOException {
        return SafeTensors.read(Files.readAllBytes(file)).tensors();
    }

    /** The metrics of a state on a site's held-out split, which neither trainer trains on. */
    private static String evaluate(String id, String site, Path state) {
        return "{\"id\": \"" + id + "\", \"op\": \"evaluate\", \"dataset\": \"" + WorkerTestData.dataset(site, "heldout") + "\", \"state\": \""
                + state + "\"}";
    }

    /** Each tensor's dtype and shape as the file's header declares them, by name in file order. */
    private static List<String> header(Path file) throws IOException {
        byte[] bytes = Files.readAllBytes(file);
        long length = ByteBuffer.wrap(bytes, 0, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
        JsonNode header = JSON.readTree(new String(bytes, 8, (int) length, StandardCharsets.UTF_8));
        Map<Long, String> byOffset = new TreeMap<>();
        header.fields().forEachRemaining(e -> {
            if (!"__metadata__".equals(e.getKey())) {
                byOffset.put(e.getValue().path("data_offsets").get(0).asLong(),
                        e.getKey() + " " + e.getValue().path("dtype").asText() + " " + e.getValue().path("shape"));
            }
        });
        return List.copyOf(byOffset.values());
    }

    private static double cosine(NamedTensors a, NamedTensors b) {
        double dot = 0;
        double na = 0;
        double nb = 0;
        for (String name : a.names()) {
            float[] x = a.get(name).values();
            float[] y = b.get(name).values();
            for (int i = 0; i < x.length; i++) {
                dot += x[i] * y[i];
                na += x[i] * x[i];
                nb += y[i] * y[i];
            }
        }
        return dot / Math.sqrt(na * nb);
    }
}
