package org.civitas.worker;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDManager;
import org.civitas.federation.core.model.manifest.ModelManifest;
import org.civitas.federation.core.tensor.NamedTensors;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * Personal heads (FedRep's personal step) against the global model, per site: FedAvg across the
 * three demo sites gives the global model; each site then trains the head alone on its own
 * training data, starting from the global model, and both are judged on the site's held-out data,
 * which neither saw. The sites' data differ in domain and scenario mix, which is where a head of
 * one's own should help.
 *
 * <p>Run: {@code mvn -B -Pbench -pl batch-jobs/model-worker -am -DskipTests package exec:exec@personal-heads}. It
 * measures two global models, 10 rounds x 2 epochs and 30 x 3, to show whether a stronger global
 * model leaves less for the head to gain ({@code -Dhead.epochs} and {@code -Dhead.lr} on the bench JVM
 * change the head's training).
 */
public final class PersonalHeadBench {

    private static final ModelManifest MANIFEST = ModelManifest.citySafetyDefault();
    private static final String[] SITES = {"energy", "community", "urban"};
    private static final int[][] GLOBAL_BUDGETS = {{10, 2}, {30, 3}};
    private static final int HEAD_EPOCHS = Integer.getInteger("head.epochs", 10);
    private static final double HEAD_LR = Double.parseDouble(System.getProperty("head.lr", "0.01"));

    public static void main(String[] args) throws Exception {
        try (NDManager manager = Engine.getEngine("PyTorch").newBaseManager();
             TextTower text = new TextTower(MANIFEST.text(), "cpu", 2);
             MultimodalModel model = new MultimodalModel(MANIFEST, manager)) {
            ImageTensors images = new ImageTensors(MANIFEST.image().size());
            Map<String, LabeledBatchSource> train = new LinkedHashMap<>();
            Map<String, LabeledBatchSource> heldout = new LinkedHashMap<>();
            for (String site : SITES) {
                train.put(site, FederatedComparisonBench.load(WorkerTestData.dataset(site, "train"), text, images).source());
                heldout.put(site, FederatedComparisonBench.load(WorkerTestData.dataset(site, "heldout"), text, images).source());
            }
            for (int[] budget : GLOBAL_BUDGETS) {
                compare(model, train, heldout, budget[0], budget[1]);
            }
        }
    }

    private static void compare(MultimodalModel model, Map<String, LabeledBatchSource> train, Map<String, LabeledBatchSource> heldout,
                                int rounds, int epochs) {
        long start = System.nanoTime();
        NamedTensors global = FederatedComparisonBench.fedAvg(model, train, rounds, epochs, 0);
        System.out.printf(Locale.ROOT, "%nGlobal model: FedAvg over %s, %d rounds x %d epochs (%.0f s)%n", String.join(", ", SITES),
                rounds, epochs, (System.nanoTime() - start) / 1e9);
        System.out.printf(Locale.ROOT, "Personal heads: the head alone, %d epochs, Adam lr %s, batch 32, from the global model%n",
                HEAD_EPOCHS, HEAD_LR);
        System.out.println("| site | train | held-out | global macro-F1 | personal macro-F1 | change | global accuracy | personal accuracy |");
        System.out.println("|---|---|---|---|---|---|---|---|");
        for (String site : SITES) {
            model.load(global);
            LocalTraining.Metrics before = LocalTraining.evaluate(model, heldout.get(site), 64);
            NamedTensors delta = LocalTraining.train(model, global, train.get(site),
                    new LocalTraining.Hyper(HEAD_EPOCHS, HEAD_LR, 32, 17, 0, false, true), (a, b, c) -> { }).delta();
            model.load(global.plusScaled(delta, 1f));
            LocalTraining.Metrics after = LocalTraining.evaluate(model, heldout.get(site), 64);
            System.out.printf(Locale.ROOT, "| %s | %d | %d | %.3f | %.3f | %+.3f | %.3f | %.3f |%n", site, train.get(site).size(),
                    heldout.get(site).size(), before.macroF1(), after.macroF1(), after.macroF1() - before.macroF1(), before.accuracy(),
                    after.accuracy());
        }
    }
}
