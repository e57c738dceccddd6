package org.civitas.worker;


import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

/**
 * What the worker process costs a site per round, against the training itself: a real worker
 * process on the packaged classpath trains the energy site's data (2 epochs) round after round.
 * Measured in the same run: the process start (to its ready line), the first request (which also
 * loads the towers and prepares the dataset), warm requests (the worker kept between rounds), and
 * a fresh process per round (no warm worker) for comparison.
 *
 * <p>Run: {@code mvn -B -Pbench -pl batch-jobs/model-worker -am -DskipTests package exec:exec@worker-overhead}
 */
public final class WorkerOverheadBench {

    public static void main(String[] args) throws Exception {
        Path lib = Path.of(args.length > 0 ? args[0] : "target/model-worker/lib");
        int warmRounds = 5;
        Path out = Files.createTempDirectory("worker-bench");
        String train = "{\"id\":\"%d\",\"op\":\"train\",\"dataset\":\"" + WorkerTestData.dataset("energy", "train") + "\",\"state\":\""
                + WorkerTestData.initialState() + "\",\"out\":\"" + out.resolve("u.safetensors") + "\",\"hyper\":{\"epochs\":2}}";

        BenchWorker warm = BenchWorker.start(lib);
        double[] first = warm.train(String.format(Locale.ROOT, train, 0));
        double warmTotal = 0;
        double warmInWorker = 0;
        for (int i = 1; i <= warmRounds; i++) {
            double[] r = warm.train(String.format(Locale.ROOT, train, i));
            warmTotal += r[0];
            warmInWorker += r[1];
        }
        warm.close();

        double coldTotal = 0;
        double coldTraining = 0;
        int coldRounds = 2;
        for (int i = 0; i < coldRounds; i++) {
            long t0 = System.nanoTime();
            BenchWorker cold = BenchWorker.start(lib);
            double[] r = cold.train(String.format(Locale.ROOT, train, i));
            coldTotal += (System.nanoTime() - t0) / 1e9;
            coldTraining += r[1];
            cold.close();
        }
        System.out.printf(Locale.ROOT, "worker start to ready:            %.2f s%n", warm.startSeconds());
        System.out.printf(Locale.ROOT, "first request (towers + dataset): %.2f s, of which training %.2f s%n", first[0], first[1]);
        System.out.printf(Locale.ROOT, "warm round (mean of %d):           %.3f s, of which training %.3f s: overhead %.3f s (%.1f %%)%n",
                warmRounds, warmTotal / warmRounds, warmInWorker / warmRounds, (warmTotal - warmInWorker) / warmRounds,
                100 * (warmTotal - warmInWorker) / warmTotal);
        System.out.printf(Locale.ROOT, "fresh process per round (mean %d): %.2f s, of which training %.3f s: %.1fx the warm round%n",
                coldRounds, coldTotal / coldRounds, coldTraining / coldRounds, (coldTotal / coldRounds) / (warmTotal / warmRounds));
    }
}
