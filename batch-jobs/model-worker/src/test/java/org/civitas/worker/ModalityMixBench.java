package org.civitas.worker;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDManager;
import org.civitas.federation.core.aggregation.FedAvg;
import org.civitas.federation.core.aggregation.FitResult;
import org.civitas.federation.core.aggregation.ModalityAwareAvg;
import org.civitas.federation.core.aggregation.RoundContext;
import org.civitas.federation.core.aggregation.Strategy;
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
 * Sites whose data differ in modalities, on one task that reads both: which hue a marker has, from a
 * report that names its colour or from a photo of it. Three sites hold only reports, one only photos,
 * one both; each words or sees mostly its own few hues. Macro-F1 on balanced test splits of reports
 * alone, photos alone, and both, for FedAvg and the modality-aware rule (each tower averaged over the
 * sites that trained it, the untrained towers left out of an update as the sites do), with each site
 * alone and all data pooled beside them, at the same budget of passes over the data.
 *
 * <p>Run: {@code mvn -B -Pbench -pl batch-jobs/model-worker -am -DskipTests package exec:exec@modality-mix}
 * ({@code -Drounds} and {@code -Depochs} on the bench JVM change the budget: 10 x 2 by default).
 */
public final class ModalityMixBench {

    private static final int ROUNDS = Integer.getInteger("rounds", 10);
    private static final int EPOCHS = Integer.getInteger("epochs", 2);
    private static final double LR = 0.01;
    private static final int BATCH = 16;

    private static final String MINILM = """
            "text": {"kind": "onnx", "artifact": "classpath:all-minilm-l6-v2.onnx", "tokenizer": "classpath:all-minilm-l6-v2-tokenizer.json",
                     "sha256": "759c3cd2b7fe7e93933ad23c4c9181b7396442a2ed746ec7c1d46192c469c46e", "dim": 384, "maxTokens": 64}""";

    /** Site name, whether its samples carry a report, whether they carry a photo. */
    private record SiteData(String name, boolean text, boolean image) {
    }

    private static final List<SiteData> SITES = List.of(new SiteData("energy", true, false), new SiteData("urban", true, false),
            new SiteData("harbour", true, false), new SiteData("depot", false, true), new SiteData("community", true, true));

    public static void main(String[] args) throws Exception {
        Path root = Files.createTempDirectory("modality-mix-bench");
        ModelManifest manifest = ModelManifest.parse("{\"name\": \"hue reports\", " + MINILM + """
                , "image": {"kind": "cnn", "size": 16, "channels": [8, 16]},
                  "fusion": {"hidden": 32, "seed": 5}, "adapter": {"rank": 4, "alpha": 8, "targets": ["text_proj", "fusion"]}}
                """).withLabels(SyntheticTasks.HUES);
        System.out.printf(Locale.ROOT, "Macro-F1 on balanced test splits; %d rounds x %d local epochs, Adam lr %s, batch %d; sites %s%n",
                ROUNDS, EPOCHS, LR, BATCH, SITES.stream().map(s -> s.name() + (s.text() ? (s.image() ? " (both)" : " (reports)")
                        : " (photos)")).toList());
        try (NDManager manager = Engine.getEngine("PyTorch").newBaseManager();
             TextTower text = new TextTower(manifest.text(), "cpu", 2);
             MultimodalModel model = new MultimodalModel(manifest, manager)) {
            ImageTensors images = new ImageTensors(manifest.image().size());
            Map<String, LabeledBatchSource> train = new LinkedHashMap<>();
            for (int i = 0; i < SITES.size(); i++) {
                SiteData site = SITES.get(i);
                Path file = SyntheticTasks.hueReports(root.resolve(site.name()), site.name(), 120, i % 3, 500 + i, site.text(), site.image());
                train.put(site.name(), ByoTaskBench.source(manifest, file, text, images));
            }
            Map<String, LabeledBatchSource> tests = new LinkedHashMap<>();
            tests.put("reports", ByoTaskBench.source(manifest, SyntheticTasks.hueReports(root.resolve("test-text"), "test", 300, -1, 600, true, false), text, images));
            tests.put("photos", ByoTaskBench.source(manifest, SyntheticTasks.hueReports(root.resolve("test-image"), "test", 300, -1, 601, false, true), text, images));
            tests.put("both", ByoTaskBench.source(manifest, SyntheticTasks.hueReports(root.resolve("test-both"), "test", 300, -1, 602, true, true), text, images));
            System.out.println("| training | test: reports | test: photos | test: both |");
            System.out.println("|---|---|---|---|");
            NamedTensors initial = MultimodalWeights.initialState(manifest);
            for (Map.Entry<String, LabeledBatchSource> site : train.entrySet()) {
                row(site.getKey() + " alone", model, ByoTaskBench.trained(model, initial, site.getValue(), ROUNDS * EPOCHS), tests);
            }
            row("federated, FedAvg", model, federated(model, initial, train, new FedAvg(), false), tests);
            row("federated, modality-aware", model, federated(model, initial, train, new ModalityAwareAvg(), true), tests);
            row("pooled", model, ByoTaskBench.trained(model, initial, pool(new ArrayList<>(train.values())), ROUNDS * EPOCHS), tests);
        }
    }

    private static void row(String training, MultimodalModel model, NamedTensors state, Map<String, LabeledBatchSource> tests) {
        StringBuilder line = new StringBuilder("| " + training + " |");
        model.load(state);
        tests.values().forEach(test -> line.append(String.format(Locale.ROOT, " %.3f |", LocalTraining.evaluate(model, test, 64).macroF1())));
        System.out.println(line);
    }

    /** Every site every round through the rule; with {@code partial} a site leaves out the towers its data did not train. */
    private static NamedTensors federated(MultimodalModel model, NamedTensors initial, Map<String, LabeledBatchSource> train,
                                          Strategy rule, boolean partial) {
        NamedTensors global = initial;
        for (int round = 0; round < ROUNDS; round++) {
            List<FitResult> results = new ArrayList<>();
            for (Map.Entry<String, LabeledBatchSource> site : train.entrySet()) {
                LabeledBatchSource data = site.getValue();
                NamedTensors delta = LocalTraining.train(model, global, data,
                        new LocalTraining.Hyper(EPOCHS, LR, BATCH, 31L * round + site.getKey().hashCode(), 0), (a, b, c) -> { }).delta();
                NamedTensors sent = partial ? MultimodalWeights.withoutUntrainedTowers(delta, data.modalitySamples()) : delta;
                results.add(new FitResult(site.getKey(), data.size(), () -> sent));
            }
            global = rule.aggregateFit(new RoundContext(round + 1, null), global, results).global();
        }
        return global;
    }

    /** One source of several sites' samples, for the pooled reference, keeping which samples carry which modality. */
    private static LabeledBatchSource pool(List<LabeledBatchSource> parts) {
        int n = parts.stream().mapToInt(LabeledBatchSource::size).sum();
        float[][] t = new float[n][];
        float[][] im = new float[n][];
        boolean[] hasText = new boolean[n];
        boolean[] hasImage = new boolean[n];
        int[] y = new int[n];
        int k = 0;
        for (LabeledBatchSource p : parts) {
            for (int i = 0; i < p.size(); i++, k++) {
                t[k] = p.text()[i];
                im[k] = p.images()[i];
                hasText[k] = p.hasText()[i];
                hasImage[k] = p.hasImage()[i];
                y[k] = p.labels()[i];
            }
        }
        return new LabeledBatchSource(t, im, y, parts.get(0).imageSize(), new String[n], hasText, hasImage);
    }
}
