package org.civitas.worker;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.civitas.federation.core.dataset.CitySafetyGenerator;
import org.civitas.federation.core.model.manifest.ModelManifest;
import org.civitas.federation.core.tensor.SafeTensors;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Locale;

/**
 * Predictions over the site's REST path against the same model called in-process, at batch 1 and
 * batch 32. Needs the README's first command running (the demo, whose multimodal federation 2 has
 * finished): the bench releases version 3 of federation 2 if no version is released, then posts the
 * city-safety test split's reports and photos to {@code /sites/energy/predictions} as the energy
 * site's IT operator. The in-process side loads the same state and manifest into the worker's model
 * in this JVM and runs the same inputs, decoding each batch's images afresh as the site does.
 *
 * <p>Run: {@code mvn -B -Pbench -pl batch-jobs/model-worker -am -DskipTests package exec:exec@prediction-latency}
 */
public final class PredictionLatencyBench {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String API = System.getProperty("api", "http://localhost:8080/civitas/api");
    private static final int REQUESTS = Integer.getInteger("requests", 60);
    /** HTTP/1.1, as API clients (curl, scripts) speak it: the JDK client's default, HTTP/2 by upgrade, adds waits of its own. */
    private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    public static void main(String[] args) throws Exception {
        Path root = Files.createTempDirectory("prediction-latency-bench");
        new CitySafetyGenerator(CitySafetyGenerator.Config.defaults(11)).generateTest(root);
        Path split = root.resolve("test.jsonl");
        List<String[]> samples = new ArrayList<>();
        for (String line : Files.readAllLines(split)) {
            JsonNode s = JSON.readTree(line);
            samples.add(new String[] {s.path("text").asText(), root.resolve(s.path("image").asText()).toString()});
        }
        JsonNode version = released();
        Path state = root.resolve("state.safetensors");
        Files.write(state, get("/federations/" + version.path("federationId").asLong() + "/models/" + version.path("version").asInt(),
                "admin"));
        ModelManifest manifest = ModelManifest.parse(JSON.readTree(get("/model-manifests/" + version.path("manifestSha256").asText(),
                "admin")).path("canonicalJson").asText());
        System.out.printf(Locale.ROOT, "Federation %d version %d, %d requests per row after 5 warm-up requests; inputs: a report and a"
                + " photo each, from a city-safety test split%n", version.path("federationId").asLong(), version.path("version").asInt(), REQUESTS);
        System.out.println("| batch | path | predictions/s | p50 ms | p95 ms |");
        System.out.println("|---|---|---|---|---|");
        try (ai.djl.ndarray.NDManager manager = ai.djl.engine.Engine.getEngine("PyTorch").newBaseManager();
             TextTower text = new TextTower(manifest.text(), "cpu", 2);
             MultimodalModel model = new MultimodalModel(manifest, manager)) {
            model.load(SafeTensors.read(Files.readAllBytes(state)).tensors());
            for (int batch : new int[] {1, 32}) {
                double[] inProcess = new double[REQUESTS];
                double[] rest = new double[REQUESTS];
                for (int r = -5; r < REQUESTS; r++) {
                    List<String[]> inputs = new ArrayList<>();
                    for (int k = 0; k < batch; k++) {
                        inputs.add(samples.get(Math.floorMod(r * batch + k, samples.size())));
                    }
                    long start = System.nanoTime();
                    LabeledBatchSource data = LabeledBatchSource.unlabeled(inputs.stream().map(i -> i[0]).toList(),
                            inputs.stream().map(i -> Path.of(i[1])).toList(), text, new ImageTensors(manifest.image().size()), null);
                    LocalTraining.probabilities(model, data, 64);
                    double bare = (System.nanoTime() - start) / 1e6;
                    start = System.nanoTime();
                    predict(version.path("modelSha256").asText(), inputs);
                    double viaRest = (System.nanoTime() - start) / 1e6;
                    if (r >= 0) {
                        inProcess[r] = bare;
                        rest[r] = viaRest;
                    }
                }
                row(batch, "in-process (worker's model, this JVM)", inProcess);
                row(batch, "REST (POST /sites/energy/predictions)", rest);
            }
        }
    }

    private static void row(int batch, String path, double[] ms) {
        double total = Arrays.stream(ms).sum();
        double[] sorted = ms.clone();
        Arrays.sort(sorted);
        System.out.printf(Locale.ROOT, "| %d | %s | %.0f | %.1f | %.1f |%n", batch, path, batch * ms.length / (total / 1000),
                sorted[sorted.length / 2], sorted[(int) Math.ceil(sorted.length * 0.95) - 1]);
    }

    /** A released version of federation 2, releasing its version 3 (administrator, then the consortium's officer) if none is. */
    private static JsonNode released() throws Exception {
        JsonNode listed = JSON.readTree(get("/sites/energy/releases", "energy-operator"));
        if (listed.isEmpty()) {
            // The coordinator evaluates a finished federation's versions shortly after it ends: wait for version 3's.
            long until = System.nanoTime() + 600_000_000_000L;
            while (!JSON.readTree(get("/federations/2", "admin")).path("models").path(3).path("evaluation").isObject()) {
                if (System.nanoTime() > until) {
                    throw new IllegalStateException("version 3 of federation 2 has no evaluation after 10 minutes; is the demo running?");
                }
                Thread.sleep(2000);
            }
            JsonNode proposed = JSON.readTree(post("/releases", "admin", "{\"federation\": 2, \"version\": 3, \"note\": \"latency bench\"}"));
            post("/releases/" + proposed.path("id").asLong() + "/decision", "consortium-compliance",
                    "{\"approve\": true, \"comment\": \"for the latency bench\"}");
            listed = JSON.readTree(get("/sites/energy/releases", "energy-operator"));
        }
        return listed.get(listed.size() - 1);
    }

    private static void predict(String version, List<String[]> inputs) throws Exception {
        StringBuilder body = new StringBuilder("{\"version\": \"" + version + "\", \"inputs\": [");
        for (int i = 0; i < inputs.size(); i++) {
            body.append(i == 0 ? "" : ", ").append("{\"text\": ").append(JSON.writeValueAsString(inputs.get(i)[0])).append(", \"image\": \"")
                    .append(Base64.getEncoder().encodeToString(Files.readAllBytes(Path.of(inputs.get(i)[1])))).append("\"}");
        }
        post("/sites/energy/predictions", "energy-operator", body.append("]}").toString());
    }

    private static byte[] get(String path, String user) throws Exception {
        return send(HttpRequest.newBuilder(URI.create(API + path)).GET(), user);
    }

    private static byte[] post(String path, String user, String json) throws Exception {
        return send(HttpRequest.newBuilder(URI.create(API + path)).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(json)), user);
    }

    private static byte[] send(HttpRequest.Builder request, String user) throws Exception {
        HttpResponse<byte[]> r = HTTP.send(request.header("Authorization", "Basic " + Base64.getEncoder()
                .encodeToString((user + ":civitas-demo").getBytes(StandardCharsets.UTF_8))).build(), HttpResponse.BodyHandlers.ofByteArray());
        if (r.statusCode() / 100 != 2) {
            throw new IllegalStateException(r.statusCode() + " " + new String(r.body(), StandardCharsets.UTF_8));
        }
        return r.body();
    }

    private PredictionLatencyBench() {
    }
}
