package org.civitas.worker;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDManager;
import org.civitas.federation.core.dataset.ManifestImporter;
import org.civitas.federation.core.dataset.Sample;
import org.civitas.federation.core.model.manifest.ModelManifest;
import org.civitas.federation.core.model.manifest.MultimodalWeights;
import org.civitas.federation.core.tensor.NamedTensors;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeSet;
import java.util.function.Function;

/**
 * The founding question on the synthetic city-safety data (seed 7): macro-F1 on the global clean
 * test split, overall, per domain and per scenario, of the base model (trained on the generic
 * public-style data only), each site trained alone, FedAvg across the three sites, and all data
 * pooled (the centralised upper reference), all with the same budget of local epochs. Then the
 * training throughput of the platform's path (a warm worker process, over its protocol) next to
 * a bare DJL loop on the same data in the same run.
 *
 * <p>Run: {@code mvn -B -Pbench -pl batch-jobs/model-worker -am -DskipTests package exec:exec@federated-comparison}
 * (30 rounds x 3 local epochs; {@code -Drounds} and {@code -Depochs} on the bench JVM change them; the sites train on
 * their curated manifests, as the platform does, unless {@code -Dbench.curated=false}).
 */
public final class FederatedComparisonBench {

    private static final ModelManifest MANIFEST = ModelManifest.citySafetyDefault();
    private static final String[] SITES = {"energy", "community", "urban"};
    private static final int ROUNDS = Integer.getInteger("rounds", 30);
    private static final int EPOCHS = Integer.getInteger("epochs", 3);
    private static final double LR = Double.parseDouble(System.getProperty("lr", "0.005"));
    private static final boolean CURATED = Boolean.parseBoolean(System.getProperty("curated", "true"));

    public static void main(String[] args) throws Exception {
        Path lib = Path.of(args.length > 0 ? args[0] : "target/model-worker/lib");
        try (NDManager manager = Engine.getEngine("PyTorch").newBaseManager();
             TextTower text = new TextTower(MANIFEST.text(), "cpu", 2);
             MultimodalModel model = new MultimodalModel(MANIFEST, manager)) {
            ImageTensors images = new ImageTensors(MANIFEST.image().size());
            Map<String, LabeledBatchSource> train = new LinkedHashMap<>();
            Map<String, Path> manifests = new LinkedHashMap<>();
            for (String site : SITES) {
                Path manifest = WorkerTestData.dataset(site, "train");
                // As the platform trains by default: on the manifest the data-quality pass curated.
                manifests.put(site, CURATED ? CurationEffectBench.curate(manifest, text) : manifest);
                train.put(site, load(manifests.get(site), text, images).source());
            }
            System.out.println("Training data: " + (CURATED ? "curated" : "raw") + " manifests, "
                    + train.values().stream().map(d -> Integer.toString(d.size())).toList() + " samples");
            Loaded test = load(WorkerTestData.root().resolve("data/test/test.jsonl"), text, images);
            LabeledBatchSource publicData = load(WorkerTestData.dataset("public", "train"), text, images).source();
            LabeledBatchSource pooled = pool(new ArrayList<>(train.values()));
            // Throughput first, while this JVM has run no training that could leave threads busy.
            throughput(lib, model, train.get("energy"), manifests.get("energy"));
            NamedTensors initial = MultimodalWeights.initialState(MANIFEST);
            int budget = ROUNDS * EPOCHS;

            Map<String, NamedTensors> results = new LinkedHashMap<>();
            results.put("untrained", initial);
            results.put("base (public data)", trained(model, initial, publicData, budget));
            for (String site : SITES) {
                results.put("local only: " + site, trained(model, initial, train.get(site), budget));
            }
            NamedTensors global = fedAvg(model, train, ROUNDS, EPOCHS, 0);
            results.put("federated (FedAvg)", global);
            results.put("centralised (pooled)", trained(model, initial, pooled, budget));

            printTable(model, test, results);
        }
    }

    record Loaded(LabeledBatchSource source, List<Sample> samples) {
    }

    static Loaded load(Path manifest, TextTower text, ImageTensors images) throws Exception {
        List<Sample> samples = ManifestImporter.check(manifest, new HashSet<>(MANIFEST.labels()), true).samples().stream()
                .filter(s -> s.label() != null).toList();
        return new Loaded(LabeledBatchSource.of(samples, manifest.getParent(), MANIFEST.labels(), text, images), samples);
    }

    private static LabeledBatchSource pool(List<LabeledBatchSource> parts) {
        int n = parts.stream().mapToInt(LabeledBatchSource::size).sum();
        float[][] t = new float[n][];
        float[][] im = new float[n][];
        int[] y = new int[n];
        String[] scenarios = new String[n];
        int k = 0;
        for (LabeledBatchSource p : parts) {
            for (int i = 0; i < p.size(); i++, k++) {
                t[k] = p.text()[i];
                im[k] = p.images()[i];
                y[k] = p.labels()[i];
                scenarios[k] = p.scenarios()[i];
            }
        }
        return new LabeledBatchSource(t, im, y, parts.get(0).imageSize(), scenarios);
    }

    /** FedAvg over the sites' data, every site every round, weighted by samples; the training seed varies the sites' shuffles. */
    static NamedTensors fedAvg(MultimodalModel model, Map<String, LabeledBatchSource> train, int rounds, int epochs, long seed) {
        NamedTensors global = MultimodalWeights.initialState(MANIFEST);
        for (int round = 0; round < rounds; round++) {
            NamedTensors sum = null;
            long samples = 0;
            for (Map.Entry<String, LabeledBatchSource> site : train.entrySet()) {
                LabeledBatchSource data = site.getValue();
                NamedTensors delta = LocalTraining.train(model, global, data,
                        new LocalTraining.Hyper(epochs, LR, 32, 1000L * seed + 31L * round + site.getKey().hashCode(), 0), (a, b, c) -> { })
                        .delta();
                sum = sum == null ? delta.plusScaled(delta, data.size() - 1f) : sum.plusScaled(delta, data.size());
                samples += data.size();
            }
            global = global.plusScaled(sum, 1f / samples);
        }
        return global;
    }

    private static NamedTensors trained(MultimodalModel model, NamedTensors start, LabeledBatchSource data, int epochs) {
        NamedTensors delta = LocalTraining.train(model, start, data, new LocalTraining.Hyper(epochs, LR, 32, 5, 0), (a, b, c) -> { }).delta();
        return start.plusScaled(delta, 1f);
    }

    private static void printTable(MultimodalModel model, Loaded test, Map<String, NamedTensors> results) {
        Map<String, Function<Sample, String>> groupings = new LinkedHashMap<>();
        TreeSet<String> domains = new TreeSet<>();
        TreeSet<String> scenarios = new TreeSet<>();
        test.samples().forEach(s -> {
            domains.add(s.meta().get("domain"));
            scenarios.add(s.scenario());
        });
        StringBuilder header = new StringBuilder("| model | all |");
        StringBuilder rule = new StringBuilder("|---|---|");
        for (String d : domains) {
            header.append(' ').append(d).append(" |");
            rule.append("---|");
        }
        for (String s : scenarios) {
            header.append(' ').append(s).append(" |");
            rule.append("---|");
        }
        System.out.println("Macro-F1 on the global test split (" + test.samples().size() + " samples), " + ROUNDS + " rounds x "
                + EPOCHS + " epochs, Adam lr " + LR);
        System.out.println(header);
        System.out.println(rule);
        int[] predicted = new int[test.source().size()];
        int classes = MANIFEST.labels().size();
        for (Map.Entry<String, NamedTensors> e : results.entrySet()) {
            model.load(e.getValue());
            LocalTraining.predict(model, test.source(), 64, predicted);
            StringBuilder row = new StringBuilder("| " + e.getKey() + " | " + f1(test, predicted, classes, s -> true) + " |");
            for (String d : domains) {
                row.append(' ').append(f1(test, predicted, classes, s -> d.equals(s.meta().get("domain")))).append(" |");
            }
            for (String sc : scenarios) {
                row.append(' ').append(f1(test, predicted, classes, s -> sc.equals(s.scenario()))).append(" |");
            }
            System.out.println(row);
        }
    }

    static String f1(Loaded test, int[] predicted, int classes, java.util.function.Predicate<Sample> in) {
        List<Integer> a = new ArrayList<>();
        List<Integer> p = new ArrayList<>();
        for (int i = 0; i < test.samples().size(); i++) {
            if (in.test(test.samples().get(i))) {
                a.add(test.source().labels()[i]);
                p.add(predicted[i]);
            }
        }
        LocalTraining.Metrics m = LocalTraining.metrics(a.stream().mapToInt(Integer::intValue).toArray(),
                p.stream().mapToInt(Integer::intValue).toArray(), classes, 0);
        return String.format(Locale.ROOT, "%.3f", m.macroF1());
    }

    /**
     * Samples per second of training: the platform's warm worker over its protocol (measured first,
     * while this JVM's own libtorch threads are idle), then the bare loop in this process, both
     * with two libtorch threads. Both include the evaluation before and after training that the
     * worker reports with each update.
     */
    private static void throughput(Path lib, MultimodalModel model, LabeledBatchSource data, Path manifest) throws Exception {
        NamedTensors initial = MultimodalWeights.initialState(MANIFEST);
        int epochs = 10;
        int reps = 3;
        BenchWorker worker = BenchWorker.start(lib, "-Dcivitas.worker.threads=2");
        // The worker trains on the same manifest as the bare loop, so both count the same samples.
        String request = "{\"id\":\"%d\",\"op\":\"train\",\"dataset\":\"" + manifest + "\",\"state\":\""
                + WorkerTestData.initialState() + "\",\"out\":\"" + WorkerTestData.root().resolve("bench-update.safetensors")
                + "\",\"hyper\":{\"epochs\":%d,\"learningRate\":" + LR + "}}";
        worker.train(String.format(Locale.ROOT, request, 0, epochs));
        Thread.sleep(1000);
        long t1 = System.nanoTime();
        double inWorker = 0;
        for (int i = 1; i <= reps; i++) {
            inWorker += worker.train(String.format(Locale.ROOT, request, i, epochs))[1];
        }
        double roundTrips = (System.nanoTime() - t1) / 1e9;
        worker.close();
        double platform = reps * (double) epochs * data.size() / roundTrips;

        LocalTraining.train(model, initial, data, new LocalTraining.Hyper(epochs, LR, 32, 1, 0), (a, b, c) -> { });
        Thread.sleep(1000);
        long t0 = System.nanoTime();
        for (int i = 0; i < reps; i++) {
            LocalTraining.train(model, initial, data, new LocalTraining.Hyper(epochs, LR, 32, 1, 0), (a, b, c) -> { });
        }
        double bare = reps * (double) epochs * data.size() / ((System.nanoTime() - t0) / 1e9);
        System.out.printf(Locale.ROOT, "%nTraining throughput, energy site (%d samples x %d epochs, %d runs each, 2 threads):%n",
                data.size(), epochs, reps);
        System.out.printf(Locale.ROOT, "bare DJL loop in process:           %.0f samples/s%n", bare);
        System.out.printf(Locale.ROOT, "platform (warm worker, protocol):   %.0f samples/s = %.2f of the bare loop "
                + "(%.1f %% of each request spent outside the training code)%n", platform, platform / bare, 100 * (1 - inWorker / roundTrips));
    }
}
