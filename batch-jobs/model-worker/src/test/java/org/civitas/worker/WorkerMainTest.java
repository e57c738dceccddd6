package org.civitas.worker;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.civitas.federation.core.model.manifest.ModelManifest;
import org.civitas.federation.core.tensor.SafeTensors;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** The JSON-lines contract, served in-process from a script of requests. */
class WorkerMainTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    private static List<JsonNode> serve(String... requests) throws IOException {
        return WorkerLinesClient.javaWorker(List.of(requests));
    }

    @Test
    void trainsWithProgressThenAnswersEachRequestByIdUntilShutdown() throws IOException {
        Path update = Files.createTempDirectory("worker-out").resolve("update.safetensors");

        List<JsonNode> lines = serve(
                "{\"id\": \"t\", \"op\": \"train\", \"dataset\": \"" + WorkerTestData.dataset("urban", "train") + "\", \"state\": \""
                        + WorkerTestData.initialState() + "\", \"out\": \"" + update + "\", \"hyper\": {\"epochs\": 2}}",
                "{\"id\": \"e\", \"op\": \"evaluate\", \"dataset\": \"" + WorkerTestData.dataset("urban", "heldout") + "\", \"state\": \""
                        + WorkerTestData.initialState() + "\"}",
                "{\"id\": \"s\", \"op\": \"shutdown\"}",
                "{\"id\": \"never\", \"op\": \"ping\"}");

        assertThat(lines.get(0).path("event").asText()).isEqualTo("ready");
        assertThat(lines.get(0).path("engine").asText()).startsWith("PyTorch");
        List<JsonNode> progress = lines.stream().filter(l -> "progress".equals(l.path("event").asText())).toList();
        assertThat(progress).isNotEmpty().allSatisfy(p -> assertThat(p.path("id").asText()).isEqualTo("t"));
        assertThat(progress.get(progress.size() - 1).path("step").asInt()).isEqualTo(progress.get(0).path("steps").asInt());
        JsonNode trained = lines.stream().filter(l -> "t".equals(l.path("id").asText()) && "result".equals(l.path("event").asText()))
                .findFirst().orElseThrow();
        byte[] written = Files.readAllBytes(update);
        assertThat(trained.path("sha256").asText()).isEqualTo(Artifacts.sha256(written));
        assertThat(SafeTensors.read(written).tensors().names()).isEqualTo(ModelManifest.citySafetyDefault().trainableShapes().keySet());
        assertThat(trained.path("metrics").path("loss").asDouble()).isLessThan(trained.path("metrics").path("globalLoss").asDouble());
        JsonNode evaluated = lines.get(lines.size() - 2);
        assertThat(evaluated.path("id").asText()).isEqualTo("e");
        assertThat(evaluated.path("samples").asInt()).isPositive();
        assertThat(lines.get(lines.size() - 1).path("id").asText()).as("nothing after shutdown").isEqualTo("s");
    }

    @Test
    void aCancelLineStopsTrainingAtItsNextStepAndTheWorkerCarriesOn() throws IOException {
        Path update = Files.createTempDirectory("worker-out").resolve("update.safetensors");

        // The cancel line is read beside the training request, as it would arrive from the server while it runs.
        List<JsonNode> lines = serve(
                "{\"id\": \"t\", \"op\": \"train\", \"dataset\": \"" + WorkerTestData.dataset("urban", "train") + "\", \"state\": \""
                        + WorkerTestData.initialState() + "\", \"out\": \"" + update + "\", \"hyper\": {\"epochs\": 50}}",
                "{\"op\": \"cancel\", \"target\": \"t\"}",
                "{\"id\": \"p\", \"op\": \"ping\"}",
                "{\"id\": \"s\", \"op\": \"shutdown\"}");

        JsonNode cancelled = lines.stream().filter(l -> "t".equals(l.path("id").asText()) && !"progress".equals(l.path("event").asText()))
                .findFirst().orElseThrow();
        assertThat(cancelled.path("event").asText()).isEqualTo("error");
        assertThat(cancelled.path("message").asText()).startsWith("cancelled at step");
        assertThat(Files.exists(update)).as("no update from a cancelled run").isFalse();
        assertThat(lines.stream().anyMatch(l -> "p".equals(l.path("id").asText()) && "result".equals(l.path("event").asText()))).isTrue();
    }

    @Test
    void badRequestsGetAnErrorNamingTheProblemAndTheWorkerCarriesOn() throws IOException {
        List<JsonNode> lines = serve(
                "{\"id\": \"1\", \"op\": \"fly\"}",
                "{not json",
                "{\"id\": \"2\", \"op\": \"train\", \"dataset\": \"/nowhere/manifest.jsonl\", \"state\": \"x\", \"out\": \"y\"}",
                "{\"id\": \"3\", \"op\": \"train\", \"dataset\": \"" + WorkerTestData.dataset("urban", "train") + "\"}",
                "{\"id\": \"4\", \"op\": \"ping\"}");

        assertThat(lines.get(1).path("message").asText()).isEqualTo("unknown op 'fly' (ops: train, evaluate, predict, embed, load, ping, shutdown)");
        assertThat(lines.get(2).path("message").asText()).startsWith("malformed request");
        assertThat(lines.get(3).path("message").asText()).startsWith("dataset: cannot read '/nowhere/manifest.jsonl'");
        assertThat(lines.get(4).path("message").asText()).isEqualTo("the request needs 'state'");
        assertThat(lines.get(5).path("event").asText()).isEqualTo("result");
    }

    @Test
    void aLoadRequestChecksAManifestsTowersAsTrainingWould() throws IOException {
        Path folder = Files.createTempDirectory("worker-load");
        String sha = "89aad4130f9cb48cbf7e508f28a76285ed668ddaf2c3f54373e434451fa3685d";
        String manifest = "{\"name\": \"x\", \"image\": {\"kind\": \"onnx\", \"size\": 8, \"artifact\": \"classpath:onnx/conv8.onnx\","
                + " \"sha256\": \"" + sha + "\", \"dim\": %d, \"mean\": [0, 0, 0], \"std\": [1, 1, 1], \"layout\": \"NCHW\"},"
                + " \"fusion\": {\"hidden\": 8, \"seed\": 1}, \"adapter\": {\"rank\": 2, \"alpha\": 4, \"targets\": [\"fusion\"]},"
                + " \"labels\": [\"a\", \"b\"]}";
        Files.writeString(folder.resolve("right.json"), manifest.formatted(8));
        Files.writeString(folder.resolve("wrong.json"), manifest.formatted(12));

        List<JsonNode> lines = serve(
                "{\"id\": \"ok\", \"op\": \"load\", \"manifest\": \"" + folder.resolve("right.json") + "\"}",
                "{\"id\": \"bad\", \"op\": \"load\", \"manifest\": \"" + folder.resolve("wrong.json") + "\"}",
                "{\"id\": \"s\", \"op\": \"shutdown\"}");

        assertThat(lines.get(1).path("id").asText()).isEqualTo("ok");
        assertThat(lines.get(1).path("event").asText()).isEqualTo("result");
        assertThat(lines.get(2).path("event").asText()).isEqualTo("error");
        assertThat(lines.get(2).path("message").asText()).isEqualTo("image.dim: the encoder's output has 8 features, the manifest says 12");
    }

    @Test
    void predictAnswersLabelProbabilitiesPerInputWhateverModalitiesItCarries() throws IOException {
        JsonNode sample = JSON.readTree(Files.readAllLines(WorkerTestData.dataset("urban", "train")).get(0));
        Path image = WorkerTestData.dataset("urban", "train").getParent().resolve(sample.path("image").asText());
        String text = sample.path("text").asText();
        String inputs = "[{\"text\": " + JSON.writeValueAsString(text) + ", \"image\": \"" + image + "\"}, {\"text\": "
                + JSON.writeValueAsString(text) + "}, {\"image\": \"" + image + "\"}]";

        List<JsonNode> lines = serve(
                "{\"id\": \"p\", \"op\": \"predict\", \"state\": \"" + WorkerTestData.initialState() + "\", \"inputs\": " + inputs + "}",
                "{\"id\": \"none\", \"op\": \"predict\", \"state\": \"" + WorkerTestData.initialState() + "\", \"inputs\": [{}]}",
                "{\"id\": \"s\", \"op\": \"shutdown\"}");

        JsonNode predicted = lines.stream().filter(l -> "p".equals(l.path("id").asText())).findFirst().orElseThrow();
        assertThat(predicted.path("probabilities")).hasSize(3);
        for (JsonNode row : predicted.path("probabilities")) {
            assertThat(row).hasSize(ModelManifest.citySafetyDefault().labels().size());
            double sum = 0;
            for (JsonNode p : row) {
                assertThat(p.asDouble()).isBetween(0.0, 1.0);
                sum += p.asDouble();
            }
            assertThat(sum).isCloseTo(1.0, org.assertj.core.api.Assertions.within(1e-4));
        }
        // A missing modality is masked, not made up: text alone, image alone and both answer differently.
        assertThat(predicted.path("probabilities").get(1)).isNotEqualTo(predicted.path("probabilities").get(0));
        assertThat(predicted.path("probabilities").get(2)).isNotEqualTo(predicted.path("probabilities").get(0));
        JsonNode none = lines.stream().filter(l -> "none".equals(l.path("id").asText())).findFirst().orElseThrow();
        assertThat(none.path("message").asText()).isEqualTo("input 0 has neither 'text' nor 'image'");
    }
}
