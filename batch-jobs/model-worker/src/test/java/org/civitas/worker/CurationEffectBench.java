package org.civitas.worker;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDManager;
import org.civitas.federation.core.dataset.ManifestFormat;
import org.civitas.federation.core.dataset.Sample;
import org.civitas.federation.core.model.manifest.ModelManifest;
import org.civitas.federation.core.quality.PiiScanner;
import org.civitas.federation.core.quality.QualityAnalysis;
import org.civitas.federation.core.quality.QualityThresholds;
import org.civitas.federation.core.tensor.NamedTensors;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * What curation does to the federated model: FedAvg across the three sites on their raw training
 * data (with the generator's defects) and on the curated manifests the data-quality pass writes
 * (flagged items left out, personal data redacted), the same rounds, epochs and seeds; macro-F1
 * on the clean global test split, for several training seeds.
 *
 * <p>Run: {@code mvn -B -Pbench -pl batch-jobs/model-worker -am -DskipTests package exec:exec@curation-effect}
 * ({@code -Drounds}, {@code -Depochs}, {@code -Dseeds} on the bench JVM change the defaults 12, 3, 3).
 */
public final class CurationEffectBench {

    private static final ModelManifest MANIFEST = ModelManifest.citySafetyDefault();
    private static final String[] SITES = {"energy", "community", "urban"};
    private static final int ROUNDS = Integer.getInteger("rounds", 12);
    private static final int EPOCHS = Integer.getInteger("epochs", 3);
    private static final int SEEDS = Integer.getInteger("seeds", 3);
    private static final double LR = 0.005;

    public static void main(String[] args) throws Exception {
        try (NDManager manager = Engine.getEngine("PyTorch").newBaseManager();
             TextTower text = new TextTower(MANIFEST.text(), "cpu", 2);
             MultimodalModel model = new MultimodalModel(MANIFEST, manager)) {
            ImageTensors images = new ImageTensors(MANIFEST.image().size());
            Map<String, LabeledBatchSource> raw = new LinkedHashMap<>();
            Map<String, LabeledBatchSource> curated = new LinkedHashMap<>();
            for (String site : SITES) {
                Path manifest = WorkerTestData.dataset(site, "train");
                raw.put(site, FederatedComparisonBench.load(manifest, text, images).source());
                curated.put(site, FederatedComparisonBench.load(curate(manifest, text), text, images).source());
                System.out.printf(Locale.ROOT, "%s: %d raw labelled samples, %d curated%n", site, raw.get(site).size(), curated.get(site).size());
            }
            FederatedComparisonBench.Loaded test = FederatedComparisonBench.load(WorkerTestData.root().resolve("data/test/test.jsonl"), text, images);
            System.out.printf(Locale.ROOT, "%nFedAvg, %d rounds x %d epochs, Adam lr %s; macro-F1 on the global test split (%d samples)%n",
                    ROUNDS, EPOCHS, LR, test.samples().size());
            System.out.println("| training seed | raw data | curated data |");
            System.out.println("|---|---|---|");
            double sumRaw = 0;
            double sumCurated = 0;
            for (int seed = 0; seed < SEEDS; seed++) {
                double r = macroF1(model, FederatedComparisonBench.fedAvg(model, raw, ROUNDS, EPOCHS, seed), test);
                double c = macroF1(model, FederatedComparisonBench.fedAvg(model, curated, ROUNDS, EPOCHS, seed), test);
                sumRaw += r;
                sumCurated += c;
                System.out.printf(Locale.ROOT, "| %d | %.3f | %.3f |%n", seed, r, c);
            }
            System.out.printf(Locale.ROOT, "| mean | %.3f | %.3f |%n", sumRaw / SEEDS, sumCurated / SEEDS);
        }
    }

    /** Writes the curated manifest beside the raw one, as the data-quality job does. */
    static Path curate(Path manifest, TextTower text) throws Exception {
        QualityAnalysis.Outcome outcome = DataQualityBench.check(manifest, text, QualityThresholds.defaults());
        Set<Integer> excluded = outcome.excludedLines();
        Set<Integer> redacted = outcome.redactedLines();
        PiiScanner pii = PiiScanner.withDefaultNames();
        List<String> lines = Files.readAllLines(manifest, StandardCharsets.UTF_8);
        List<String> out = new ArrayList<>();
        for (int i = 0; i < lines.size(); i++) {
            if (lines.get(i).isBlank() || excluded.contains(i + 1)) {
                continue;
            }
            String line = lines.get(i);
            if (redacted.contains(i + 1)) {
                Sample s = ManifestFormat.read(line);
                line = ManifestFormat.write(new Sample(s.id(), s.image(), pii.redact(s.text()), s.label(), s.scenario(), s.meta()));
            }
            out.add(line);
        }
        Path curated = manifest.resolveSibling("train.curated.jsonl");
        Files.write(curated, out, StandardCharsets.UTF_8);
        return curated;
    }

    private static double macroF1(MultimodalModel model, NamedTensors state, FederatedComparisonBench.Loaded test) {
        model.load(state);
        int[] predicted = new int[test.source().size()];
        LocalTraining.predict(model, test.source(), 64, predicted);
        return Double.parseDouble(FederatedComparisonBench.f1(test, predicted, MANIFEST.labels().size(), s -> true));
    }
}
