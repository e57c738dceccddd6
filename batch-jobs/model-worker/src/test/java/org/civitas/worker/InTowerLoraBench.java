package org.civitas.worker;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDManager;
import org.civitas.federation.core.model.manifest.ModelManifest;
import org.civitas.federation.core.model.manifest.MultimodalWeights;
import org.civitas.federation.core.tensor.NamedTensors;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Frozen features against LoRA inside the MiniLM encoder, on the tickets task of the bring-your-own-task
 * bench (text only, 2 labels, three sites that word their tickets mostly in their own phrases, so
 * only the wording carries the label): macro-F1 of each site alone (mean), FedAvg over the three, and
 * the three pooled, at the same passes over the data; then each mode's training throughput on the
 * pooled data, and the process's resident memory after each mode.
 *
 * <p>Run: {@code mvn -B -Pbench -pl batch-jobs/model-worker -am -DskipTests package exec:exec@in-tower-lora}
 * ({@code -Drounds} and {@code -Depochs} on the bench JVM change the budget: 10 x 2 by default;
 * {@code -Dbench.task=city-safety} trains the demo's task and shipped model, images and reports, instead).
 */
public final class InTowerLoraBench {

    private static final int ROUNDS = Integer.getInteger("rounds", 10);
    private static final int EPOCHS = Integer.getInteger("epochs", 2);
    /** {@code -Dtask=city-safety}: the demo's task and shipped model instead of the tickets. */
    private static final boolean CITY_SAFETY = "city-safety".equals(System.getProperty("task"));

    private static final String TOWER = """
            "text": {"kind": "onnx", "artifact": "classpath:all-minilm-l6-v2.onnx", "tokenizer": "classpath:all-minilm-l6-v2-tokenizer.json",
                     "sha256": "759c3cd2b7fe7e93933ad23c4c9181b7396442a2ed746ec7c1d46192c469c46e", "dim": 384, "maxTokens": 64%s}""";

    public static void main(String[] args) throws Exception {
        Path root = Files.createTempDirectory("in-tower-lora-bench");
        ModelManifest frozen;
        ModelManifest adapted;
        frozen = ModelManifest.parse("{\"name\": \"tickets\", " + TOWER.formatted("") + """
                , "fusion": {"hidden": 32, "seed": 11}, "adapter": {"rank": 4, "alpha": 8, "targets": ["text_proj", "fusion"]}}
                """).withLabels(SyntheticTasks.TICKET_LABELS);
        adapted = ModelManifest.parse("{\"name\": \"tickets\", " + TOWER.formatted(", \"mode\": \"adapters\", \"layers\": 6,"
                + " \"heads\": 12") + """
                , "fusion": {"hidden": 32, "seed": 11}, "adapter": {"rank": 4, "alpha": 8, "targets": ["query", "value", "text_proj", "fusion"]}}
                """).withLabels(SyntheticTasks.TICKET_LABELS);
        Map<String, Path> splits = new LinkedHashMap<>();
        String[] sites = {"energy", "community", "urban"};
        Path test;
        if (CITY_SAFETY) {
            // The shipped model (MiniLM, the CNN on 32 px images, the twelve labels), frozen and adapted.
            new org.civitas.federation.core.dataset.CitySafetyGenerator(org.civitas.federation.core.dataset.CitySafetyGenerator.Config
                    .defaults(7)).generateAll(root.resolve("city-safety"));
            for (String site : sites) {
                splits.put(site, root.resolve("city-safety").resolve(site).resolve("train.jsonl"));
            }
            test = root.resolve("city-safety").resolve("test").resolve("test.jsonl");
            frozen = ModelManifest.citySafetyDefault();
            adapted = ModelManifest.citySafetyAdapters();
            System.out.printf(Locale.ROOT, "City-safety (images and reports, 12 labels), macro-F1 on the %d-sample test split;"
                    + " %d rounds x %d local epochs, Adam lr 0.01, batch 16, rank 4%n", Files.readAllLines(test).size(), ROUNDS, EPOCHS);
        } else {
            for (int site = 0; site < 3; site++) {
                splits.put(sites[site], SyntheticTasks.tickets(root.resolve("tickets"), sites[site], 60, site, 100 + site));
            }
            test = SyntheticTasks.tickets(root.resolve("tickets"), "test", 200, -1, 300);
            System.out.printf(Locale.ROOT, "Tickets (text only, 2 labels), macro-F1 on 200 balanced test tickets; %d rounds x %d local epochs,"
                    + " Adam lr 0.01, batch 16, rank 4%n", ROUNDS, EPOCHS);
        }
        System.out.println("| text tower | trainable floats | local-only mean | federated (FedAvg) | pooled | training samples/s | resident memory after |");
        System.out.println("|---|---|---|---|---|---|---|");
        try (NDManager manager = Engine.getEngine("PyTorch").newBaseManager()) {
            row("frozen (LoRA on text_proj and fusion)", frozen, manager, null, splits, test);
            ModelManifest.TextTower spec = adapted.text();
            try (TransformerEncoder encoder = new TransformerEncoder(OnnxWeights.read(Artifacts.read(spec.artifact(), "text.artifact",
                    spec.sha256())), spec.heads(), manager)) {
                row("adapters (LoRA on query and value of 6 layers, text_proj, fusion)", adapted, manager, encoder, splits, test);
            }
        }
    }

    private static void row(String mode, ModelManifest manifest, NDManager manager, TransformerEncoder encoder, Map<String, Path> splits,
                            Path testFile) throws Exception {
        try (TextTower text = new TextTower(manifest.text(), "cpu", 2); MultimodalModel model = new MultimodalModel(manifest, manager, encoder)) {
            ImageTensors images = manifest.image() == null ? null : new ImageTensors(manifest.image().size());
            Map<String, LabeledBatchSource> train = new LinkedHashMap<>();
            for (Map.Entry<String, Path> e : splits.entrySet()) {
                train.put(e.getKey(), ByoTaskBench.source(manifest, e.getValue(), text, images));
            }
            LabeledBatchSource test = ByoTaskBench.source(manifest, testFile, text, images);
            NamedTensors initial = MultimodalWeights.initialState(manifest);
            double local = 0;
            for (LabeledBatchSource site : train.values()) {
                local += macroF1(model, ByoTaskBench.trained(model, initial, site, ROUNDS * EPOCHS), test) / train.size();
            }
            double federated = macroF1(model, ByoTaskBench.fedAvg(model, initial, train, ROUNDS, EPOCHS), test);
            LabeledBatchSource pooled = pool(new ArrayList<>(train.values()));
            long start = System.nanoTime();
            NamedTensors pooledState = ByoTaskBench.trained(model, initial, pooled, ROUNDS * EPOCHS);
            double seconds = (System.nanoTime() - start) / 1e9;
            System.out.printf(Locale.ROOT, "| %s | %d | %.3f | %.3f | %.3f | %.0f | %d MiB |%n", mode, initial.elementCount(), local, federated,
                    macroF1(model, pooledState, test), pooled.size() * ROUNDS * EPOCHS / seconds, residentMiB());
        }
    }

    private static double macroF1(MultimodalModel model, NamedTensors state, LabeledBatchSource test) {
        model.load(state);
        return LocalTraining.evaluate(model, test, 64).macroF1();
    }

    /** The sites' samples as one source: embeddings or tokens as the model reads them, images and presence masks. */
    private static LabeledBatchSource pool(List<LabeledBatchSource> parts) {
        int n = parts.stream().mapToInt(LabeledBatchSource::size).sum();
        LabeledBatchSource first = parts.get(0);
        float[][] t = first.text() == null ? null : new float[n][];
        float[][] images = first.images() == null ? null : new float[n][];
        long[][] ids = first.tokenIds() == null ? null : new long[n][];
        long[][] types = first.tokenIds() == null ? null : new long[n][];
        boolean[] hasText = first.hasText() == null ? null : new boolean[n];
        boolean[] hasImage = first.hasImage() == null ? null : new boolean[n];
        int[] y = new int[n];
        int k = 0;
        for (LabeledBatchSource p : parts) {
            for (int i = 0; i < p.size(); i++, k++) {
                if (ids != null) {
                    ids[k] = p.tokenIds()[i];
                    types[k] = p.tokenTypes()[i];
                }
                if (t != null) {
                    t[k] = p.text()[i];
                }
                if (images != null) {
                    images[k] = p.images()[i];
                }
                if (hasText != null) {
                    hasText[k] = p.hasText()[i];
                }
                if (hasImage != null) {
                    hasImage[k] = p.hasImage()[i];
                }
                y[k] = p.labels()[i];
            }
        }
        return new LabeledBatchSource(t, images, y, first.imageSize(), new String[n], hasText, hasImage, ids, types);
    }

    /** VmRSS of this process: the JVM heap and libtorch's native memory together, as a worker process holds them. */
    private static long residentMiB() throws Exception {
        for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
            if (line.startsWith("VmRSS:")) {
                return Long.parseLong(line.replaceAll("[^0-9]", "")) / 1024;
            }
        }
        return -1;
    }
}
