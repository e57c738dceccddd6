package org.civitas.worker;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.BufferedReader;
import java.io.File;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
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

    private static final ObjectMapper JSON = new ObjectMapper();

    private record Worker(Process process, PrintWriter in, BufferedReader out, double startSeconds) {
    }

    public static void main(String[] args) throws Exception {
        Path lib = Path.of(args.length > 0 ? args[0] : "target/model-worker/lib");
        int warmRounds = 5;
        Path out = Files.createTempDirectory("worker-bench");
        String train = "{\"id\":\"%d\",\"op\":\"train\",\"dataset\":\"" + WorkerTestData.dataset("energy", "train") + "\",\"state\":\""
                + WorkerTestData.initialState() + "\",\"out\":\"" + out.resolve("u.safetensors") + "\",\"hyper\":{\"epochs\":2}}";

        Worker warm = start(lib);
        double[] first = request(warm, String.format(Locale.ROOT, train, 0));
        double warmTotal = 0;
        double warmInWorker = 0;
        for (int i = 1; i <= warmRounds; i++) {
            double[] r = request(warm, String.format(Locale.ROOT, train, i));
            warmTotal += r[0];
            warmInWorker += r[1];
        }
        stop(warm);

        double coldTotal = 0;
        double coldTraining = 0;
        int coldRounds = 2;
        for (int i = 0; i < coldRounds; i++) {
            long t0 = System.nanoTime();
            Worker cold = start(lib);
            double[] r = request(cold, String.format(Locale.ROOT, train, i));
            coldTotal += (System.nanoTime() - t0) / 1e9;
            coldTraining += r[1];
            stop(cold);
        }
        System.out.printf(Locale.ROOT, "worker start to ready:            %.2f s%n", warm.startSeconds());
        System.out.printf(Locale.ROOT, "first request (towers + dataset): %.2f s, of which training %.2f s%n", first[0], first[1]);
        System.out.printf(Locale.ROOT, "warm round (mean of %d):           %.3f s, of which training %.3f s: overhead %.3f s (%.1f %%)%n",
                warmRounds, warmTotal / warmRounds, warmInWorker / warmRounds, (warmTotal - warmInWorker) / warmRounds,
                100 * (warmTotal - warmInWorker) / warmTotal);
        System.out.printf(Locale.ROOT, "fresh process per round (mean %d): %.2f s, of which training %.3f s: %.1fx the warm round%n",
                coldRounds, coldTotal / coldRounds, coldTraining / coldRounds, (coldTotal / coldRounds) / (warmTotal / warmRounds));
    }

    private static Worker start(Path lib) throws Exception {
        long t0 = System.nanoTime();
        ProcessBuilder builder = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", lib.toAbsolutePath() + File.separator + "*", "org.civitas.worker.WorkerMain")
                .redirectError(ProcessBuilder.Redirect.DISCARD);
        builder.environment().put("DJL_CACHE_DIR", Path.of("target", "djl-cache").toAbsolutePath().toString());
        Process p = builder.start();
        BufferedReader reader = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
        String ready = reader.readLine();
        if (ready == null || !ready.contains("ready")) {
            throw new IllegalStateException("worker did not start: " + ready);
        }
        return new Worker(p, new PrintWriter(p.getOutputStream(), true, StandardCharsets.UTF_8), reader, (System.nanoTime() - t0) / 1e9);
    }

    /** Round trip and in-worker training seconds of one train request. */
    private static double[] request(Worker w, String line) throws Exception {
        long t0 = System.nanoTime();
        w.in().println(line);
        while (true) {
            JsonNode answer = JSON.readTree(w.out().readLine());
            String event = answer.path("event").asText();
            if ("result".equals(event)) {
                return new double[] {(System.nanoTime() - t0) / 1e9, answer.path("metrics").path("seconds").asDouble()};
            }
            if ("error".equals(event)) {
                throw new IllegalStateException(answer.toString());
            }
        }
    }

    private static void stop(Worker w) throws Exception {
        w.in().println("{\"id\":\"bye\",\"op\":\"shutdown\"}");
        w.process().waitFor();
    }
}
