package org.civitas.worker;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.BufferedReader;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.PrintStream;
import java.io.StringReader;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Requests to a trainer and its answer lines, for tests and benches: the bundled worker served in
 * this JVM, or the reference Python trainer started as a site's server starts an external one.
 */
final class WorkerLinesClient {

    static final ObjectMapper JSON = new ObjectMapper();
    static final Path PYTHON_TRAINER = Path.of("..", "python-trainer", "trainer.py").toAbsolutePath().normalize();

    private WorkerLinesClient() {
    }

    /** The bundled worker's answers to these requests, served in-process on 2 threads. */
    static List<JsonNode> javaWorker(List<String> requests) throws IOException {
        return javaWorker(requests, null);
    }

    /** As above, with operators' artifacts ({@code sha256:<hex>}) in {@code artifactDir} (null: none). */
    static List<JsonNode> javaWorker(List<String> requests, Path artifactDir) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        String before = System.getProperty("civitas.worker.artifacts");
        WorkerMain worker;
        try {
            if (artifactDir != null) {
                System.setProperty("civitas.worker.artifacts", artifactDir.toString());
            }
            worker = new WorkerMain(new PrintStream(out, true, StandardCharsets.UTF_8), "cpu", 2);
        } finally {
            if (before == null) {
                System.clearProperty("civitas.worker.artifacts");
            } else {
                System.setProperty("civitas.worker.artifacts", before);
            }
        }
        worker.serve(new BufferedReader(new StringReader(String.join("\n", requests))));
        List<JsonNode> lines = new ArrayList<>();
        for (String line : out.toString(StandardCharsets.UTF_8).split("\n")) {
            lines.add(JSON.readTree(line));
        }
        return lines;
    }

    /**
     * The Python trainer's answers to these requests, on 2 threads; its stderr goes to {@code log}
     * (null: this process's). The server points it at the bundled worker's libraries; here the test
     * class path holds the same jars.
     *
     * @throws IllegalStateException when the trainer exits other than with 0
     */
    static List<JsonNode> pythonTrainer(String python, List<String> requests, Path log) throws IOException, InterruptedException {
        return pythonTrainer(python, requests, log, null);
    }

    /** As above, with operators' artifacts ({@code sha256:<hex>}) in {@code artifactDir} (null: none). */
    static List<JsonNode> pythonTrainer(String python, List<String> requests, Path log, Path artifactDir)
            throws IOException, InterruptedException {
        ProcessBuilder pb = new ProcessBuilder(python, PYTHON_TRAINER.toString(), "--threads", "2")
                .redirectError(log == null ? ProcessBuilder.Redirect.INHERIT : ProcessBuilder.Redirect.to(log.toFile()));
        pb.environment().put("CIVITAS_WORKER_CLASSPATH", System.getProperty("java.class.path"));
        if (artifactDir != null) {
            pb.environment().put("CIVITAS_WORKER_ARTIFACTS", artifactDir.toString());
        }
        Process process = pb.start();
        try (Writer in = new OutputStreamWriter(process.getOutputStream(), StandardCharsets.UTF_8)) {
            for (String r : requests) {
                in.write(r + "\n");
            }
        }
        List<JsonNode> lines = new ArrayList<>();
        try (BufferedReader out = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = out.readLine()) != null) {
                lines.add(JSON.readTree(line));
            }
        }
        if (process.waitFor() != 0) {
            throw new IllegalStateException("the Python trainer exited with " + process.exitValue() + (log == null ? "" : "; see " + log));
        }
        return lines;
    }
}
