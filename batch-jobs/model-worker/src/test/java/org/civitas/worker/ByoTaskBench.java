package org.civitas.worker;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDManager;
import org.civitas.federation.core.dataset.ManifestImporter;
import org.civitas.federation.core.model.manifest.ModelManifest;
import org.civitas.federation.core.model.manifest.MultimodalWeights;
import org.civitas.federation.core.tensor.NamedTensors;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The two tasks a consortium brings in the bring-your-own-task test, each with a model of one
 * modality: tickets (text only, 2 labels, MiniLM tower) and hues (images only, 10 labels, CNN). Three
 * sites hold skewed splits ({@link SyntheticTasks}); macro-F1 on a balanced test split of each task
 * for each site trained alone, FedAvg over the three, and the three pooled, with the same number of
 * passes over the data (rounds x local epochs).
 *
 * <p>Run: {@code mvn -B -Pbench -pl batch-jobs/model-worker -am -DskipTests package exec:exec@byo-tasks}
 * ({@code -Drounds} and {@code -Depochs} on the bench JVM change the budget: 10 x 2 by default).
 */
public final class ByoTaskBench {

    private static final int ROUNDS = Integer.getInteger("rounds", 10);
    private static final int EPOCHS = Integer.getInteger("epochs", 2);
    private static final double LR = 0.01;
    private static final int BATCH = 16;

    private static final String MINILM = """
            "text": {"kind": "onnx", "artifact": "classpath:all-minilm-l6-v2.onnx", "tokenizer": "classpath:all-minilm-l6-v2-tokenizer.json",
                     "sha256": "759c3cd2b7fe7e93933ad23c4c9181b7396442a2ed746ec7c1d46192c469c46e", "dim": 384, "maxTokens": 64}""";

    private static final String E5 = """
            "text": {"kind": "onnx", "artifact": "classpath:e5-small-v2-q.onnx", "tokenizer": "classpath:e5-small-v2-q-tokenizer.json",
                     "sha256": "7d9092cb25f2bd1c023b7e8d2aa459044a02030ac880e5a59fdaf27af69f1ded", "dim": 384, "maxTokens": 64}""";

    public static void main(String[] args) throws Exception {
        Path root = Files.createTempDirectory("byo-bench");
        ModelManifest tickets = ModelManifest.parse("{\"name\": \"tickets\", " + MINILM + """
                , "fusion": {"hidden": 32, "seed": 11}, "adapter": {"rank": 4, "alpha": 8, "targets": ["text_proj", "fusion"]}}
                """).withLabels(SyntheticTasks.TICKET_LABELS);
        ModelManifest hues = ModelManifest.parse("""
                {"name": "hues", "image": {"kind": "cnn", "size": 16, "channels": [8, 16]},
                 "fusion": {"hidden": 32, "seed": 5}, "adapter": {"rank": 4, "alpha": 8, "targets": ["fusion"]}}
                """).withLabels(SyntheticTasks.HUES);
        System.out.printf(Locale.ROOT, "Macro-F1 on each task's balanced test split; %d rounds x %d local epochs, Adam lr %s, batch %d%n",
                ROUNDS, EPOCHS, LR, BATCH);
        System.out.println("| task | site energy alone | site community alone | site urban alone | local-only mean | federated (FedAvg) | pooled |");
        System.out.println("|---|---|---|---|---|---|---|");
        try (NDManager manager = Engine.getEngine("PyTorch").newBaseManager();
             TextTower text = new TextTower(tickets.text(), "cpu", 2)) {
            Map<String, Path> ticketSplits = new LinkedHashMap<>();
            Map<String, Path> hueSplits = new LinkedHashMap<>();
            for (int site = 0; site < 3; site++) {
                ticketSplits.put(SITES[site], SyntheticTasks.tickets(root.resolve("tickets"), SITES[site], 60, site, 100 + site));
                hueSplits.put(SITES[site], SyntheticTasks.hues(root.resolve("hues-" + site), SITES[site], 120, site, 200 + site));
            }
            row("tickets (text, 2 labels)", tickets, manager, text, null, ticketSplits,
                    SyntheticTasks.tickets(root.resolve("tickets"), "test", 200, -1, 300));
            row("hues (images, 10 labels)", hues, manager, null, new ImageTensors(hues.image().size()), hueSplits,
                    SyntheticTasks.hues(root.resolve("hues-test"), "test", 300, -1, 400));
            ModelManifest ticketsE5 = ModelManifest.parse("{\"name\": \"tickets-e5\", " + E5 + """
                    , "fusion": {"hidden": 32, "seed": 11}, "adapter": {"rank": 4, "alpha": 8, "targets": ["text_proj", "fusion"]}}
                    """).withLabels(SyntheticTasks.TICKET_LABELS);
            try (TextTower e5 = new TextTower(ticketsE5.text(), "cpu", 2)) {
                row("tickets, e5-small-v2 tower", ticketsE5, manager, e5, null, ticketSplits,
                        SyntheticTasks.tickets(root.resolve("tickets"), "test", 200, -1, 300));
            }
        }
    }

    private static final String[] SITES = {"energy", "community", "urban"};

    private static void row(String task, ModelManifest manifest, NDManager manager, TextTower text, ImageTensors images,
                            Map<String, Path> splits, Path testManifest) throws Exception {
        try (MultimodalModel model = new MultimodalModel(manifest, manager)) {
            Map<String, LabeledBatchSource> train = new LinkedHashMap<>();
            for (Map.Entry<String, Path> e : splits.entrySet()) {
                train.put(e.getKey(), source(manifest, e.getValue(), text, images));
            }
            LabeledBatchSource test = source(manifest, testManifest, text, images);
            NamedTensors initial = MultimodalWeights.initialState(manifest);
            int budget = ROUNDS * EPOCHS;
            StringBuilder line = new StringBuilder("| " + task + " |");
            double localSum = 0;
            for (LabeledBatchSource site : train.values()) {
                double f1 = macroF1(model, trained(model, initial, site, budget), test);
                localSum += f1;
                line.append(String.format(Locale.ROOT, " %.3f |", f1));
            }
            line.append(String.format(Locale.ROOT, " %.3f |", localSum / train.size()));
            line.append(String.format(Locale.ROOT, " %.3f |", macroF1(model, fedAvg(model, initial, train), test)));
            line.append(String.format(Locale.ROOT, " %.3f |", macroF1(model, trained(model, initial, pool(new ArrayList<>(train.values())),
                    budget), test)));
            System.out.println(line);
        }
    }

    static LabeledBatchSource source(ModelManifest manifest, Path file, TextTower text, ImageTensors images) throws Exception {
        return LabeledBatchSource.of(ManifestImporter.check(file, new HashSet<>(manifest.labels()), false).samples(), file.getParent(),
                manifest.labels(), text, images);
    }

    /** The state after training {@code data} alone from {@code start} for {@code epochs} passes (Adam, lr 0.01, batch 16). */
    static NamedTensors trained(MultimodalModel model, NamedTensors start, LabeledBatchSource data, int epochs) {
        return start.plusScaled(LocalTraining.train(model, start, data, new LocalTraining.Hyper(epochs, LR, BATCH, 5, 0), (a, b, c) -> { })
                .delta(), 1f);
    }

    /** FedAvg, every site every round, weighted by samples. */
    private static NamedTensors fedAvg(MultimodalModel model, NamedTensors initial, Map<String, LabeledBatchSource> train) {
        return fedAvg(model, initial, train, ROUNDS, EPOCHS);
    }

    /** FedAvg over {@code rounds} rounds of {@code epochs} local epochs each. */
    static NamedTensors fedAvg(MultimodalModel model, NamedTensors initial, Map<String, LabeledBatchSource> train, int rounds, int epochs) {
        NamedTensors global = initial;
        for (int round = 0; round < rounds; round++) {
            NamedTensors sum = null;
            long samples = 0;
            for (Map.Entry<String, LabeledBatchSource> site : train.entrySet()) {
                LabeledBatchSource data = site.getValue();
                NamedTensors delta = LocalTraining.train(model, global, data,
                        new LocalTraining.Hyper(epochs, LR, BATCH, 31L * round + site.getKey().hashCode(), 0), (a, b, c) -> { }).delta();
                sum = sum == null ? delta.plusScaled(delta, data.size() - 1f) : sum.plusScaled(delta, data.size());
                samples += data.size();
            }
            global = global.plusScaled(sum, 1f / samples);
        }
        return global;
    }

    private static double macroF1(MultimodalModel model, NamedTensors state, LabeledBatchSource test) {
        model.load(state);
        return LocalTraining.evaluate(model, test, 64).macroF1();
    }

    /** One source of several sites' samples, for the pooled reference; a modality the model lacks stays null. */
    private static LabeledBatchSource pool(List<LabeledBatchSource> parts) {
        int n = parts.stream().mapToInt(LabeledBatchSource::size).sum();
        float[][] t = parts.get(0).text() == null ? null : new float[n][];
        float[][] im = parts.get(0).images() == null ? null : new float[n][];
        int[] y = new int[n];
        String[] scenarios = new String[n];
        int k = 0;
        for (LabeledBatchSource p : parts) {
            for (int i = 0; i < p.size(); i++, k++) {
                if (t != null) {
                    t[k] = p.text()[i];
                }
                if (im != null) {
                    im[k] = p.images()[i];
                }
                y[k] = p.labels()[i];
            }
        }
        return new LabeledBatchSource(t, im, y, parts.get(0).imageSize(), scenarios);
    }
}
