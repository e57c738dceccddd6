package org.civitas.worker;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.BufferedReader;
import java.io.File;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** A real worker process on the packaged classpath, driven over its protocol by the benchmarks. */
final class BenchWorker implements AutoCloseable {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final Process process;
    private final PrintWriter in;
    private final BufferedReader out;
    private final double startSeconds;

    private BenchWorker(Process process, PrintWriter in, BufferedReader out, double startSeconds) {
        this.process = process;
        this.in = in;
        this.out = out;
        this.startSeconds = startSeconds;
    }

    /** Starts the worker from {@code lib} with the given JVM options and waits for its ready line. */
    static BenchWorker start(Path lib, String... jvmOptions) throws Exception {
        long t0 = System.nanoTime();
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString()));
        command.addAll(List.of(jvmOptions));
        command.addAll(List.of("-cp", lib.toAbsolutePath() + File.separator + "*", "org.civitas.worker.WorkerMain"));
        ProcessBuilder builder = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.DISCARD);
        builder.environment().put("DJL_CACHE_DIR", Path.of("target", "djl-cache").toAbsolutePath().toString());
        Process p = builder.start();
        BufferedReader reader = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
        String ready = reader.readLine();
        if (ready == null || !ready.contains("ready")) {
            throw new IllegalStateException("worker did not start: " + ready);
        }
        return new BenchWorker(p, new PrintWriter(p.getOutputStream(), true, StandardCharsets.UTF_8), reader,
                (System.nanoTime() - t0) / 1e9);
    }

    /** From spawning the process to its ready line. */
    double startSeconds() {
        return startSeconds;
    }

    /** Round-trip seconds and in-worker training seconds of one train request line. */
    double[] train(String requestLine) throws Exception {
        long t0 = System.nanoTime();
        in.println(requestLine);
        while (true) {
            JsonNode answer = JSON.readTree(out.readLine());
            String event = answer.path("event").asText();
            if ("result".equals(event)) {
                return new double[] {(System.nanoTime() - t0) / 1e9, answer.path("metrics").path("seconds").asDouble()};
            }
            if ("error".equals(event)) {
                throw new IllegalStateException(answer.toString());
            }
        }
    }

    @Override
    public void close() throws Exception {
        in.println("{\"id\":\"bye\",\"op\":\"shutdown\"}");
        process.waitFor();
    }
}
