package org.civitas.worker;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDManager;
import org.civitas.federation.core.aggregation.FedAvg;
import org.civitas.federation.core.aggregation.FitResult;
import org.civitas.federation.core.aggregation.RoundContext;
import org.civitas.federation.core.model.manifest.ModelManifest;
import org.civitas.federation.core.model.manifest.MultimodalWeights;
import org.civitas.federation.core.tensor.NamedTensors;
import org.civitas.federation.core.tensor.SafeTensors;

import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * What a base pretrained on public data buys a federation: the small preset pretrained pooled on a
 * public part of Fashion-MNIST (one image in six, never a site's), then federated with FedAvg over
 * ten Dirichlet(0.5) sites for a few rounds from random weights, fine-tuned whole from the base, and
 * with LoRA on the base's convolutions (the dense layer trained, or adapted too). Accuracy on the
 * 10,000 held-out images, and the floats each site sends a round.
 *
 * <p>Run: {@code mvn -B -Pbench -pl batch-jobs/model-worker -am -DskipTests package exec:exec@pretrained-base}
 * ({@code -Dbench.base.rounds} rounds of one local epoch, 5 by default; {@code -Dbench.base.train} site images, 20,000 by
 * default; {@code -Dbench.pretrain.epochs} passes over the public part, 3 by default; {@code -Dbench.public.classes=0-4} a
 * public part of the first five classes only, so the base has never seen the other five; {@code -Dbench.base.variants} the rows
 * to run, of {@code random,full,lora-conv,lora-all,pooled}: the four FedAvg rows by default, {@code pooled} trains one model
 * from random weights on the public part and the sites' images together, as many epochs as there are rounds).
 */
public final class PretrainedBaseBench {

    private static final int SITES = 10;
    private static final int ROUNDS = Integer.getInteger("rounds", 5);
    private static final int TRAIN = Integer.getInteger("train", 20_000);
    private static final int PRETRAIN_EPOCHS = Integer.getInteger("pretrain.epochs", 3);
    private static final int BATCH = 64;
    private static final double LR = 0.001;
    private static final java.util.Set<String> VARIANTS = java.util.Set.of(System.getProperty("variants",
            "random,full,lora-conv,lora-all").split(","));
    /** The classes the public part holds: all ten by default; {@code -Dbench.public.classes=0-4} keeps the first five only. */
    private static final java.util.Set<Integer> PUBLIC_CLASSES = classes(System.getProperty("public.classes", "0-9"));

    private static java.util.Set<Integer> classes(String range) {
        String[] ends = range.split("-");
        java.util.Set<Integer> set = new java.util.TreeSet<>();
        for (int c = Integer.parseInt(ends[0]); c <= Integer.parseInt(ends[ends.length - 1]); c++) {
            set.add(c);
        }
        return set;
    }

    private static String manifest(String base, String imageTargets) {
        return """
                {"name": "fashion-pretrained", "image": {"kind": "cnn", "size": 28, "inputChannels": 1, "preset": "small"%s},
                 "fusion": {"hidden": 64, "seed": 20261206}, "adapter": {"rank": 8, "alpha": 16, "targets": ["fusion"%s]}}"""
                .formatted(base == null ? "" : ", \"base\": \"" + base + "\"", imageTargets);
    }

    public static void main(String[] args) throws Exception {
        FashionMnist.Data data = FashionMnist.load(Path.of(args.length > 0 ? args[0] : "target/fashion-mnist"));
        FashionMnist.Split all = data.train();
        List<Integer> publicPart = new ArrayList<>();
        List<Integer> pool = new ArrayList<>();
        for (int i = 0; i < all.size(); i++) {
            if (i % 6 != 0) {
                pool.add(i);
            } else if (PUBLIC_CLASSES.contains(all.labels()[i])) {
                publicPart.add(i);
            }
        }
        int[] siteImages = new int[Math.min(TRAIN, pool.size())];
        for (int k = 0; k < siteImages.length; k++) {
            // An even sample of every class: the images come ordered by class.
            siteImages[k] = pool.get((int) ((long) k * pool.size() / siteImages.length));
        }
        int[] siteLabels = java.util.Arrays.stream(siteImages).map(i -> all.labels()[i]).toArray();
        List<int[]> sites = ImageTowerBench.dirichletSplit(siteLabels, SITES, 0.5, 20261206L).stream()
                .map(s -> java.util.Arrays.stream(s).map(k -> siteImages[k]).toArray()).toList();
        LabeledBatchSource test = ImageTowerBench.source(data.test(), range(data.test().size()), 1);
        System.out.printf(Locale.ROOT, "Fashion-MNIST: %d public images of classes %s for pretraining, %d site images over %d sites"
                + " (Dirichlet 0.5), %d held out; %d rounds x 1 local epoch, Adam lr %s, batch %d%n", publicPart.size(), PUBLIC_CLASSES,
                siteImages.length, SITES, data.test().size(), ROUNDS, LR, BATCH);

        Map<String, double[]> table = new LinkedHashMap<>();
        try (NDManager manager = Engine.getEngine("PyTorch").newBaseManager()) {
            ModelManifest scratch = ModelManifest.parse(manifest(null, "")).withLabels(FashionMnist.LABELS);
            long t0 = System.nanoTime();
            NamedTensors base;
            double pretrainedAccuracy;
            try (MultimodalModel model = new MultimodalModel(scratch, manager)) {
                LabeledBatchSource pub = ImageTowerBench.source(all, publicPart.stream().mapToInt(Integer::intValue).toArray(), 1);
                NamedTensors initial = MultimodalWeights.initialState(scratch);
                NamedTensors pretrained = initial.plusScaled(LocalTraining.train(model, initial, pub,
                        new LocalTraining.Hyper(PRETRAIN_EPOCHS, LR, BATCH, 3, 0), (a, b, c) -> { }).delta(), 1f);
                model.load(pretrained);
                pretrainedAccuracy = LocalTraining.evaluate(model, test, 256).accuracy();
                NamedTensors.Builder tower = NamedTensors.builder();
                scratch.image().cnn().shapes(28).keySet().forEach(n -> tower.put(n, pretrained.get(n)));
                base = tower.build();
            }
            String sha = "sha256:" + HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(SafeTensors.write(base)));
            System.out.printf(Locale.ROOT, "Pretrained %d epochs on the public part in %.0f s: %.1f %% on the held-out images with its own"
                    + " head%n", PRETRAIN_EPOCHS, (System.nanoTime() - t0) / 1e9, 100 * pretrainedAccuracy);

            Map<String, ModelManifest> variants = new LinkedHashMap<>();
            variant(variants, "random", "from random weights, trained fully", scratch);
            variant(variants, "full", "from the base, fine-tuned fully", ModelManifest.parse(manifest(sha, "")).withLabels(FashionMnist.LABELS));
            variant(variants, "lora-conv", "from the base, LoRA on the convolutions, dense trained",
                    ModelManifest.parse(manifest(sha, ", \"image.conv1\", \"image.conv2\"")).withLabels(FashionMnist.LABELS));
            variant(variants, "lora-all", "from the base, LoRA on every layer",
                    ModelManifest.parse(manifest(sha, ", \"image.conv1\", \"image.conv2\", \"image.dense1\"")).withLabels(FashionMnist.LABELS));
            for (Map.Entry<String, ModelManifest> v : variants.entrySet()) {
                t0 = System.nanoTime();
                ModelManifest m = v.getValue();
                NamedTensors imageBase = m.image().base() == null ? null : base;
                try (MultimodalModel model = new MultimodalModel(m, manager, null, imageBase)) {
                    double[] accuracy = federated(model, MultimodalWeights.initialState(m, imageBase), sites, all, test);
                    table.put(v.getKey() + "|" + floats(m), accuracy);
                    System.out.printf(Locale.ROOT, "  %-58s %s (%.0f s)%n", v.getKey(), format(accuracy), (System.nanoTime() - t0) / 1e9);
                }
            }
            if (VARIANTS.contains("pooled")) {
                t0 = System.nanoTime();
                int[] pooled = java.util.stream.IntStream.concat(publicPart.stream().mapToInt(Integer::intValue),
                        java.util.Arrays.stream(siteImages)).toArray();
                try (MultimodalModel model = new MultimodalModel(scratch, manager)) {
                    double[] accuracy = pooled(model, MultimodalWeights.initialState(scratch), ImageTowerBench.source(all, pooled, 1), test);
                    String row = "pooled: public part and sites' images together (" + pooled.length + "), from random weights, epoch by epoch";
                    table.put(row + "|0", accuracy);
                    System.out.printf(Locale.ROOT, "  %-58s %s (%.0f s)%n", row, format(accuracy), (System.nanoTime() - t0) / 1e9);
                }
            }
        }
        System.out.println();
        StringBuilder header = new StringBuilder("| FedAvg, small preset | floats a site sends a round |");
        for (int r = 1; r <= ROUNDS; r++) {
            header.append(" round ").append(r).append(" |");
        }
        System.out.println(header);
        System.out.println("|---|---|" + "---|".repeat(ROUNDS));
        table.forEach((key, accuracy) -> {
            String[] parts = key.split("\\|");
            long floats = Long.parseLong(parts[1]);
            StringBuilder row = new StringBuilder(String.format(Locale.ROOT, "| %s | %s |", parts[0], floats == 0 ? "-" : String.format(
                    Locale.ROOT, "%,d", floats)));
            for (double a : accuracy) {
                row.append(String.format(Locale.ROOT, " %.1f |", 100 * a));
            }
            System.out.println(row);
        });
    }

    private static void variant(Map<String, ModelManifest> variants, String key, String row, ModelManifest manifest) {
        if (VARIANTS.contains(key)) {
            variants.put(row, manifest);
        }
    }

    private static long floats(ModelManifest m) {
        return m.trainableShapes().values().stream().mapToLong(s -> java.util.Arrays.stream(s).asLongStream().reduce(1, (x, y) -> x * y)).sum();
    }

    /**
     * Held-out accuracy after each epoch of one pooled run (the optimiser's moments carried through): the
     * run's per-epoch checkpoints are the states measured.
     */
    private static double[] pooled(MultimodalModel model, NamedTensors initial, LabeledBatchSource data, LabeledBatchSource test) {
        int stepsPerEpoch = (data.size() + BATCH - 1) / BATCH;
        List<NamedTensors> epochs = new ArrayList<>();
        LocalTraining.Outcome outcome = LocalTraining.train(model, initial, data, new LocalTraining.Hyper(ROUNDS, LR, BATCH, 7, 0), (a, b, c) -> { },
                new LocalTraining.Checkpoint() {
                    @Override
                    public java.util.Optional<LocalTraining.Saved> load() {
                        return java.util.Optional.empty();
                    }

                    @Override
                    public void save(LocalTraining.Saved saved) {
                        if (saved.stepsDone() % stepsPerEpoch == 0) {
                            epochs.add(saved.state());
                        }
                    }

                    @Override
                    public void clear() {
                    }
                });
        // No checkpoint is saved after the last epoch: its state is the run's result.
        epochs.add(initial.plusScaled(outcome.delta(), 1f));
        double[] accuracy = new double[ROUNDS];
        for (int e = 0; e < ROUNDS; e++) {
            model.load(epochs.get(e));
            accuracy[e] = LocalTraining.evaluate(model, test, 256).accuracy();
        }
        return accuracy;
    }

    /** Held-out accuracy after each round of FedAvg, every site every round. */
    private static double[] federated(MultimodalModel model, NamedTensors initial, List<int[]> sites, FashionMnist.Split all,
                                      LabeledBatchSource test) {
        List<LabeledBatchSource> data = sites.stream().map(s -> ImageTowerBench.source(all, s, 1)).toList();
        double[] accuracy = new double[ROUNDS];
        NamedTensors global = initial;
        FedAvg rule = new FedAvg();
        for (int round = 0; round < ROUNDS; round++) {
            List<FitResult> results = new ArrayList<>();
            for (int s = 0; s < data.size(); s++) {
                NamedTensors delta = LocalTraining.train(model, global, data.get(s), new LocalTraining.Hyper(1, LR, BATCH, 31L * round + s, 0),
                        (a, b, c) -> { }).delta();
                results.add(new FitResult("site-" + s, data.get(s).size(), () -> delta));
            }
            global = rule.aggregateFit(new RoundContext(round + 1, null), global, results).global();
            model.load(global);
            accuracy[round] = LocalTraining.evaluate(model, test, 256).accuracy();
        }
        return accuracy;
    }

    private static String format(double[] accuracy) {
        StringBuilder s = new StringBuilder();
        for (double a : accuracy) {
            s.append(String.format(Locale.ROOT, "%5.1f", 100 * a));
        }
        return s.toString();
    }

    private static int[] range(int n) {
        int[] a = new int[n];
        for (int i = 0; i < n; i++) {
            a[i] = i;
        }
        return a;
    }
}
