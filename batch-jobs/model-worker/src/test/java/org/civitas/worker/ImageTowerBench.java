package org.civitas.worker;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDManager;
import org.apache.commons.math3.distribution.GammaDistribution;
import org.apache.commons.math3.random.MersenneTwister;
import org.civitas.federation.core.aggregation.FedAvg;
import org.civitas.federation.core.aggregation.FedOpt;
import org.civitas.federation.core.aggregation.FedProx;
import org.civitas.federation.core.aggregation.FitResult;
import org.civitas.federation.core.aggregation.RoundContext;
import org.civitas.federation.core.aggregation.Strategy;
import org.civitas.federation.core.model.manifest.ModelManifest;
import org.civitas.federation.core.model.manifest.MultimodalWeights;
import org.civitas.federation.core.tensor.NamedTensors;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The image towers on real photographs: Fashion-MNIST split over ten sites by a Dirichlet(0.5)
 * draw of each class's share per site (Hsu, Qi and Brown 2019; the split of Li et al.'s NIID-Bench,
 * 2021), each tower trained pooled, by each site alone and federated with FedAvg, FedProx and
 * FedAdam, all for the same number of passes over the data; accuracy on the 10,000 held-out images.
 * Then the new tower's training throughput on this machine's two libtorch threads.
 *
 * <p>Run: {@code mvn -B -Pbench -pl batch-jobs/model-worker -am -DskipTests package exec:exec@image-towers}
 * ({@code -Dbench.rounds} rounds of {@code -Dbench.epochs} local epochs, 15 x 1 by default; {@code -Dbench.train}
 * keeps that many training images, all 60,002 by default; {@code -Dbench.towers=new} runs the new tower only;
 * {@code -Dbench.lr} is the sites' Adam learning rate, 0.001 by default; {@code -Dbench.rules=fedavg,pooled} runs those rows only).
 */
public final class ImageTowerBench {

    private static final int SITES = 10;
    private static final double ALPHA = 0.5;
    private static final int ROUNDS = Integer.getInteger("rounds", 15);
    private static final int EPOCHS = Integer.getInteger("epochs", 1);
    private static final int TRAIN = Integer.getInteger("train", Integer.MAX_VALUE);
    private static final String TOWERS = System.getProperty("towers", "old,new");
    private static final String RULES = System.getProperty("rules", "local,fedavg,fedprox,fedadam,pooled");
    private static final int BATCH = 64;
    private static final double LR = Double.parseDouble(System.getProperty("lr", "0.001"));

    /** The tower the platform shipped first: two 3x3 stride-2 convolutions of 8 and 16 channels, averaged over the image. */
    static final String OLD = """
            {"name": "fashion-old-tower", "image": {"kind": "cnn", "size": 28, "channels": [8, 16]},
             "fusion": {"hidden": 64, "seed": 20261206}, "adapter": {"rank": 4, "alpha": 8, "targets": ["fusion"]}}""";
    /** The small preset on grayscale input. */
    static final String NEW = """
            {"name": "fashion-small-tower", "image": {"kind": "cnn", "size": 28, "inputChannels": 1, "preset": "small"},
             "fusion": {"hidden": 64, "seed": 20261206}, "adapter": {"rank": 4, "alpha": 8, "targets": ["fusion"]}}""";

    public static void main(String[] args) throws Exception {
        Path folder = Path.of(args.length > 0 ? args[0] : "target/fashion-mnist");
        FashionMnist.Data data = FashionMnist.load(folder);
        FashionMnist.Split train = limit(data.train(), TRAIN);
        List<int[]> sites = dirichletSplit(train.labels(), SITES, ALPHA, 20261206L);
        System.out.println("Fashion-MNIST: " + train.size() + " training images over " + SITES + " sites (Dirichlet " + ALPHA + "), "
                + data.test().size() + " held out; " + ROUNDS + " rounds x " + EPOCHS + " local epochs, Adam lr " + LR + ", batch " + BATCH);
        System.out.println("Images per site: " + sites.stream().map(s -> Integer.toString(s.length)).toList());
        System.out.println("Classes per site (share >= 5 %): " + sites.stream().map(s -> classesOver(train.labels(), s, 0.05)).toList());

        Map<String, Map<String, Double>> table = new LinkedHashMap<>();
        Map<String, ModelManifest> towers = new LinkedHashMap<>();
        if (TOWERS.contains("old")) {
            towers.put("old (2 x 3x3 stride-2 conv, mean)", ModelManifest.parse(OLD).withLabels(FashionMnist.LABELS));
        }
        if (TOWERS.contains("new")) {
            towers.put("new (preset small)", ModelManifest.parse(NEW).withLabels(FashionMnist.LABELS));
        }
        try (NDManager manager = Engine.getEngine("PyTorch").newBaseManager()) {
            for (Map.Entry<String, ModelManifest> tower : towers.entrySet()) {
                ModelManifest manifest = tower.getValue();
                System.out.printf(Locale.ROOT, "%s: %,d trainable parameters in the tower, %,d multiply-adds per image%n", tower.getKey(),
                        manifest.image().cnn().parameters(28), manifest.image().cnn().multiplyAddsPerImage(28));
                try (MultimodalModel model = new MultimodalModel(manifest, manager)) {
                    table.put(tower.getKey(), compare(model, manifest, train, sites, data.test()));
                }
            }
            if (TOWERS.contains("new")) {
                throughput(manager, ModelManifest.parse(NEW).withLabels(FashionMnist.LABELS), train);
            }
        }
        System.out.println();
        System.out.println("| training | " + String.join(" | ", table.keySet()) + " |");
        System.out.println("|---|" + "---|".repeat(table.size()));
        for (String row : table.values().iterator().next().keySet()) {
            StringBuilder line = new StringBuilder("| " + row + " |");
            table.values().forEach(column -> line.append(String.format(Locale.ROOT, " %.1f |", 100 * column.get(row))));
            System.out.println(line);
        }
    }

    private static Map<String, Double> compare(MultimodalModel model, ModelManifest manifest, FashionMnist.Split train, List<int[]> sites,
                                               FashionMnist.Split test) {
        int channels = manifest.image().cnn().inputChannels();
        LabeledBatchSource testSource = source(test, all(test.size()), channels);
        Map<String, LabeledBatchSource> siteData = new LinkedHashMap<>();
        for (int s = 0; s < sites.size(); s++) {
            siteData.put("site-" + s, source(train, sites.get(s), channels));
        }
        NamedTensors initial = MultimodalWeights.initialState(manifest);
        Map<String, Double> accuracy = new LinkedHashMap<>();
        int budget = ROUNDS * EPOCHS;

        long t0;
        if (RULES.contains("local")) {
            t0 = System.nanoTime();
            double localSum = 0;
            for (LabeledBatchSource site : siteData.values()) {
                localSum += accuracy(model, trained(model, initial, site, budget), testSource);
            }
            accuracy.put("local only (mean of the sites)", localSum / siteData.size());
            report("local only", t0, accuracy);
        }
        Map<String, Strategy> rules = new LinkedHashMap<>();
        rules.put("FedAvg", new FedAvg());
        rules.put("FedProx (mu 0.01)", new FedProx(0.01));
        rules.put("FedAdam (eta 0.01)", FedOpt.adam(0.01, 0.9, 0.99, 1e-3));
        for (Map.Entry<String, Strategy> rule : rules.entrySet()) {
            if (RULES.contains(rule.getValue().name().toLowerCase(Locale.ROOT))) {
                t0 = System.nanoTime();
                double mu = rule.getValue() instanceof FedProx ? 0.01 : 0;
                accuracy.put(rule.getKey(), accuracy(model, federated(model, initial, siteData, rule.getValue(), mu), testSource));
                report(rule.getKey(), t0, accuracy);
            }
        }
        if (RULES.contains("pooled")) {
            t0 = System.nanoTime();
            LabeledBatchSource pooled = source(train, all(train.size()), channels);
            accuracy.put("pooled (centralised)", accuracy(model, trained(model, initial, pooled, budget), testSource));
            report("pooled (centralised)", t0, accuracy);
        }
        return accuracy;
    }

    private static void report(String row, long t0, Map<String, Double> accuracy) {
        System.out.printf(Locale.ROOT, "  %-32s %.1f %% (%.0f s)%n", row, 100 * accuracy.get(accuracy.keySet().stream()
                .filter(k -> k.startsWith(row)).findFirst().orElseThrow()), (System.nanoTime() - t0) / 1e9);
    }

    /** Every site every round through the rule; {@code mu} is the proximal term the rule asks of the sites. */
    private static NamedTensors federated(MultimodalModel model, NamedTensors initial, Map<String, LabeledBatchSource> sites, Strategy rule,
                                          double mu) {
        NamedTensors global = initial;
        NamedTensors serverState = null;
        for (int round = 0; round < ROUNDS; round++) {
            List<FitResult> results = new ArrayList<>();
            for (Map.Entry<String, LabeledBatchSource> site : sites.entrySet()) {
                NamedTensors delta = LocalTraining.train(model, global, site.getValue(),
                        new LocalTraining.Hyper(EPOCHS, LR, BATCH, 31L * round + site.getKey().hashCode(), mu), (a, b, c) -> { }).delta();
                results.add(new FitResult(site.getKey(), site.getValue().size(), () -> delta));
            }
            var result = rule.aggregateFit(new RoundContext(round + 1, serverState), global, results);
            global = result.global();
            serverState = result.serverState();
        }
        return global;
    }

    private static NamedTensors trained(MultimodalModel model, NamedTensors start, LabeledBatchSource data, int epochs) {
        NamedTensors delta = LocalTraining.train(model, start, data, new LocalTraining.Hyper(epochs, LR, BATCH, 5, 0), (a, b, c) -> { })
                .delta();
        return start.plusScaled(delta, 1f);
    }

    private static double accuracy(MultimodalModel model, NamedTensors state, LabeledBatchSource test) {
        model.load(state);
        return LocalTraining.evaluate(model, test, 256).accuracy();
    }

    /**
     * Samples per second of training the new tower on two libtorch threads, over 10,000 images
     * (one epoch after a warm-up epoch), and what an epoch of 60,000 would take at that rate.
     */
    private static void throughput(NDManager manager, ModelManifest manifest, FashionMnist.Split train) {
        LabeledBatchSource data = source(train, java.util.Arrays.copyOf(all(train.size()), Math.min(10_000, train.size())), 1);
        try (MultimodalModel model = new MultimodalModel(manifest, manager)) {
            NamedTensors initial = MultimodalWeights.initialState(manifest);
            LocalTraining.train(model, initial, data, new LocalTraining.Hyper(1, LR, BATCH, 1, 0), (a, b, c) -> { });
            long t0 = System.nanoTime();
            LocalTraining.Outcome outcome = LocalTraining.train(model, initial, data, new LocalTraining.Hyper(1, LR, BATCH, 2, 0),
                    (a, b, c) -> { });
            double seconds = (System.nanoTime() - t0) / 1e9;
            // train() also evaluates the data before and after: three passes forward, one backward.
            System.out.printf(Locale.ROOT, "Throughput of the new tower, 2 threads, batch %d: %.0f training samples/s (%d steps, with the"
                            + " evaluation before and after); an epoch of 60,000 images: %.1f minutes%n", BATCH, data.size() / seconds,
                    outcome.steps(), 60_000 / (data.size() / seconds) / 60);
        }
    }

    /** The images as the model reads them: grey levels scaled to [-1, 1], on one channel or repeated on three (RGB). */
    static LabeledBatchSource source(FashionMnist.Split split, int[] indices, int channels) {
        int plane = FashionMnist.SIDE * FashionMnist.SIDE;
        float[][] images = new float[indices.length][];
        int[] labels = new int[indices.length];
        for (int k = 0; k < indices.length; k++) {
            byte[] grey = split.pixels()[indices[k]];
            float[] x = new float[channels * plane];
            for (int p = 0; p < plane; p++) {
                float v = (grey[p] & 0xff) / 127.5f - 1f;
                for (int c = 0; c < channels; c++) {
                    x[c * plane + p] = v;
                }
            }
            images[k] = x;
            labels[k] = split.labels()[indices[k]];
        }
        return new LabeledBatchSource(null, images, labels, FashionMnist.SIDE, new String[indices.length]);
    }

    /**
     * Each class's images dealt to the sites in the shares of a Dirichlet(alpha) draw, one draw per
     * class: with alpha 0.5 most sites hold a few classes in bulk and others barely.
     */
    static List<int[]> dirichletSplit(int[] labels, int sites, double alpha, long seed) {
        MersenneTwister random = new MersenneTwister(seed);
        GammaDistribution gamma = new GammaDistribution(random, alpha, 1);
        List<List<Integer>> bySite = new ArrayList<>();
        for (int s = 0; s < sites; s++) {
            bySite.add(new ArrayList<>());
        }
        int classes = java.util.Arrays.stream(labels).max().orElse(0) + 1;
        for (int c = 0; c < classes; c++) {
            List<Integer> members = new ArrayList<>();
            for (int i = 0; i < labels.length; i++) {
                if (labels[i] == c) {
                    members.add(i);
                }
            }
            java.util.Collections.shuffle(members, new java.util.Random(seed + c));
            double[] share = new double[sites];
            double total = 0;
            for (int s = 0; s < sites; s++) {
                share[s] = gamma.sample();
                total += share[s];
            }
            int from = 0;
            double cumulative = 0;
            for (int s = 0; s < sites; s++) {
                cumulative += share[s] / total;
                int to = s == sites - 1 ? members.size() : (int) Math.round(cumulative * members.size());
                bySite.get(s).addAll(members.subList(from, Math.max(from, to)));
                from = Math.max(from, to);
            }
        }
        return bySite.stream().map(l -> l.stream().mapToInt(Integer::intValue).toArray()).toList();
    }

    private static int classesOver(int[] labels, int[] site, double share) {
        int[] counts = new int[10];
        for (int i : site) {
            counts[labels[i]]++;
        }
        return (int) java.util.Arrays.stream(counts).filter(c -> c >= share * site.length).count();
    }

    private static FashionMnist.Split limit(FashionMnist.Split split, int n) {
        if (n >= split.size()) {
            return split;
        }
        // An even sample of every class, not the first classes' images.
        int[] picked = new int[n];
        for (int k = 0; k < n; k++) {
            picked[k] = (int) ((long) k * split.size() / n);
        }
        byte[][] pixels = new byte[n][];
        int[] labels = new int[n];
        for (int k = 0; k < n; k++) {
            pixels[k] = split.pixels()[picked[k]];
            labels[k] = split.labels()[picked[k]];
        }
        return new FashionMnist.Split(pixels, labels);
    }

    private static int[] all(int n) {
        int[] a = new int[n];
        for (int i = 0; i < n; i++) {
            a[i] = i;
        }
        return a;
    }
}
