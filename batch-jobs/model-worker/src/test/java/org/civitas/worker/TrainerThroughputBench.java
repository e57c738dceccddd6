package org.civitas.worker;

import com.fasterxml.jackson.databind.JsonNode;
import org.civitas.federation.core.dataset.CitySafetyGenerator;
import org.civitas.federation.core.model.manifest.ModelManifest;
import org.civitas.federation.core.model.manifest.MultimodalWeights;
import org.civitas.federation.core.tensor.SafeTensors;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Training throughput of the bundled Java worker (DJL on libtorch) against the reference Python
 * trainer (PyTorch), both on 2 CPU threads, on the same city-safety site data and the same requests:
 * the shipped multimodal model with the MiniLM tower frozen, and with LoRA inside it, beside the same
 * training called in-process without the worker around it (the bare DJL loop). Each trainer
 * answers {@code REPEATS} identical train requests in one warm process; the figure is the median of
 * the in-worker seconds each reports (training plus the before and after evaluation, dataset
 * preparation excluded: it is cached after the first request).
 *
 * <p>Run: {@code mvn -B -Pbench -pl batch-jobs/model-worker -am -DskipTests package exec:exec@trainer-throughput}
 * (needs Debian's python3-torch: {@code bash .ci/ensure-python-torch.sh}).
 */
public final class TrainerThroughputBench {

    private static final int REPEATS = 4;
    private static final int EPOCHS = 2;

    public static void main(String[] args) throws Exception {
        Path root = Files.createTempDirectory("trainer-throughput-bench");
        new CitySafetyGenerator(CitySafetyGenerator.Config.defaults(7)).generateAll(root.resolve("data"));
        Path dataset = root.resolve("data").resolve("energy").resolve("train.jsonl");
        ModelManifest frozen = ModelManifest.citySafetyDefault();
        ModelManifest adapted = ModelManifest.citySafetyAdapters();
        String python = System.getProperty("python", "/usr/bin/python3");
        System.out.printf(Locale.ROOT, "City-safety, site energy's training split; %d epochs per request, batch 32, 2 CPU threads;"
                + " median of %d warm requests%n", EPOCHS, REPEATS - 1);
        System.out.println("| text tower | bare DJL loop samples/s | Java worker (DJL) samples/s | worker / bare loop"
                + " | Python trainer (PyTorch) samples/s | Python / Java worker |");
        System.out.println("|---|---|---|---|---|---|");
        for (ModelManifest manifest : List.of(frozen, adapted)) {
            Path manifestFile = root.resolve(manifest.text().mode() + ".json");
            Files.writeString(manifestFile, manifest.canonicalJson());
            Path state = root.resolve(manifest.text().mode() + "-state.safetensors");
            Files.write(state, SafeTensors.write(MultimodalWeights.initialState(manifest)));
            List<String> requests = new ArrayList<>();
            for (int i = 0; i < REPEATS; i++) {
                requests.add("{\"id\": \"" + i + "\", \"op\": \"train\", \"manifest\": \"" + manifestFile + "\", \"dataset\": \"" + dataset
                        + "\", \"state\": \"" + state + "\", \"out\": \"" + root.resolve("update.safetensors") + "\", \"hyper\": {\"epochs\": "
                        + EPOCHS + ", \"seed\": 7}}");
            }
            requests.add("{\"id\": \"s\", \"op\": \"shutdown\"}");
            double bare = bareLoop(manifest, dataset);
            double java = samplesPerSecond(WorkerLinesClient.javaWorker(requests));
            double py = samplesPerSecond(WorkerLinesClient.pythonTrainer(python, requests, null));
            System.out.printf(Locale.ROOT, "| %s | %.0f | %.0f | %.2f | %.0f | %.2f |%n", manifest.text().adapted()
                    ? "adapters (LoRA on query and value of 6 layers, text_proj, fusion)" : "frozen (LoRA on text_proj and fusion)",
                    bare, java, java / bare, py, py / java);
        }
    }

    /**
     * The same training called in this JVM, without the worker around it (no protocol, no state or
     * update files): LocalTraining on a model and dataset prepared once, median of the warm runs.
     */
    private static double bareLoop(ModelManifest manifest, Path dataset) throws Exception {
        try (ai.djl.ndarray.NDManager manager = ai.djl.engine.Engine.getEngine("PyTorch").newBaseManager();
             TextTower text = new TextTower(manifest.text(), "cpu", 2)) {
            ModelManifest.TextTower spec = manifest.text();
            TransformerEncoder encoder = spec.adapted() ? new TransformerEncoder(OnnxWeights.read(Artifacts.read(spec.artifact(),
                    "text.artifact", spec.sha256())), spec.heads(), manager) : null;
            try (MultimodalModel model = new MultimodalModel(manifest, manager, encoder)) {
                LabeledBatchSource data = ByoTaskBench.source(manifest, dataset, text, new ImageTensors(manifest.image().size()));
                org.civitas.federation.core.tensor.NamedTensors initial = MultimodalWeights.initialState(manifest);
                double[] rates = new double[REPEATS - 1];
                for (int run = 0; run < REPEATS; run++) {
                    long start = System.nanoTime();
                    LocalTraining.train(model, initial, data, new LocalTraining.Hyper(EPOCHS, 0.005, 32, 7, 0), (a, b, c) -> { });
                    if (run > 0) {
                        rates[run - 1] = (double) data.size() * EPOCHS / ((System.nanoTime() - start) / 1e9);
                    }
                }
                java.util.Arrays.sort(rates);
                return rates.length % 2 == 1 ? rates[rates.length / 2] : (rates[rates.length / 2 - 1] + rates[rates.length / 2]) / 2;
            } finally {
                if (encoder != null) {
                    encoder.close();
                }
            }
        }
    }

    /** Median over the warm requests (the first prepares the dataset) of samples x epochs / in-worker seconds. */
    private static double samplesPerSecond(List<JsonNode> lines) {
        double[] rates = lines.stream().filter(l -> "result".equals(l.path("event").asText()) && l.has("metrics")
                        && !"0".equals(l.path("id").asText()))
                .mapToDouble(l -> l.path("samples").asDouble() * EPOCHS / l.path("metrics").path("seconds").asDouble()).sorted().toArray();
        if (rates.length != REPEATS - 1) {
            throw new IllegalStateException("expected " + (REPEATS - 1) + " warm results, got " + lines);
        }
        return rates.length % 2 == 1 ? rates[rates.length / 2] : (rates[rates.length / 2 - 1] + rates[rates.length / 2]) / 2;
    }

    private TrainerThroughputBench() {
    }
}
