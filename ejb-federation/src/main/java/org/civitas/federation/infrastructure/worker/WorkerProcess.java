package org.civitas.federation.infrastructure.worker;

import org.civitas.federation.core.worker.WorkerFields;
import org.civitas.federation.core.worker.WorkerLines;
import org.civitas.federation.core.worker.WorkerRequest;
import org.civitas.federation.core.worker.WorkerResult;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * One running worker process and the conversation with it: a request line out, progress lines
 * and one result or error line back. Not thread-safe; {@link ModelWorker} serialises requests.
 */
public final class WorkerProcess implements AutoCloseable {

    /** A request the worker answered with an error; the worker itself is fine. */
    public static final class WorkerRequestException extends RuntimeException {
        public WorkerRequestException(String message) {
            super(message);
        }
    }

    /** The worker died or spoke nonsense; it must be restarted. */
    public static final class WorkerCrashedException extends RuntimeException {
        public WorkerCrashedException(String message) {
            super(message);
        }
    }

    public interface ProgressListener {
        void progress(int step, int steps, double loss);
    }

    private final Process process;
    private final BufferedReader out;
    private final Writer in;
    private final Map<String, Object> ready;
    private final Duration startup;
    private long nextId;
    /** The request being served, which {@link #cancelCurrent()} names. */
    private volatile String current;

    private WorkerProcess(Process process, long startNanos) {
        this.process = process;
        this.out = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
        this.in = new OutputStreamWriter(process.getOutputStream(), StandardCharsets.UTF_8);
        Map<String, Object> first;
        try {
            first = readLine();
        } catch (WorkerCrashedException e) {
            process.destroyForcibly();
            throw e;
        }
        if (!"ready".equals(first.get("event"))) {
            process.destroyForcibly();
            throw new WorkerCrashedException("the worker's first line was not 'ready': " + first);
        }
        this.ready = first;
        this.startup = Duration.ofNanos(System.nanoTime() - startNanos);
    }

    /** The oneDNN setting that caps the instruction set its kernels use, and the cap the worker runs with. */
    public static final String ONEDNN_ISA = "DNNL_MAX_CPU_ISA";
    public static final String ONEDNN_ISA_DEFAULT = "AVX2";

    /** Starts the worker and waits for its {@code ready} line; its stderr goes to {@code log}. */
    public static WorkerProcess start(List<String> command, Path log, Map<String, String> environment) {
        long start = System.nanoTime();
        ProcessBuilder builder = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.appendTo(log.toFile()));
        // libtorch's oneDNN picks its AVX-512 kernels where the CPU has them, and on some AVX-512 CPUs (an AMD
        // EPYC of the AVX-512 generation, at least) its convolutions then give non-finite weights at random
        // within an epoch; its AVX2 kernels train the same models exactly. An operator may set it otherwise.
        builder.environment().putIfAbsent(ONEDNN_ISA, ONEDNN_ISA_DEFAULT);
        builder.environment().putAll(environment);
        Process process;
        try {
            process = builder.start();
        } catch (IOException e) {
            throw new WorkerCrashedException("cannot start the model worker " + command + ": " + e.getMessage());
        }
        return new WorkerProcess(process, start);
    }

    /** From spawning the process to its {@code ready} line. */
    public Duration startup() {
        return startup;
    }

    public Map<String, Object> readyLine() {
        return ready;
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    /**
     * Sends one request and returns the worker's result.
     *
     * @throws WorkerRequestException when the worker answers with an error
     * @throws WorkerCrashedException when it exits, or its output cannot be read or is not the request's result
     */
    public <R extends WorkerResult> R request(WorkerRequest<R> request, ProgressListener progress) {
        String id = Long.toString(++nextId);
        current = id;
        try {
            send(WorkerLines.request(id, request));
            Map<String, Object> result = answer(id, progress);
            result.remove("id");
            result.remove("event");
            try {
                return request.result(new WorkerFields(result, "the worker's answer to '" + request.op() + "'"));
            } catch (IllegalArgumentException e) {
                throw new WorkerCrashedException("the model worker's result does not fit the contract: " + e.getMessage());
            }
        } catch (IOException e) {
            throw new WorkerCrashedException("the model worker stopped taking requests: " + e.getMessage() + exitText());
        } finally {
            current = null;
        }
    }

    /**
     * Asks the worker to stop the request it serves (a training run stops at its next step, keeping
     * its last epoch checkpoint, and answers an error), without ending the worker. Answers whether a
     * request was running to be asked.
     */
    public boolean cancelCurrent() {
        String id = current;
        if (id == null) {
            return false;
        }
        try {
            send(WorkerLines.cancel(id));
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    private void send(String line) throws IOException {
        synchronized (in) {
            in.write(line);
            in.write('\n');
            in.flush();
        }
    }

    private Map<String, Object> answer(String id, ProgressListener progress) {
        while (true) {
            Map<String, Object> line = readLine();
            if (!id.equals(line.get("id"))) {
                continue;
            }
            switch (String.valueOf(line.get("event"))) {
                case "progress" -> {
                    WorkerFields f = new WorkerFields(line, "a progress line");
                    progress.progress((int) f.number("step"), (int) f.number("steps"), f.number("loss"));
                }
                case "result" -> {
                    return line;
                }
                case "error" -> throw new WorkerRequestException(String.valueOf(line.get("message")));
                default -> throw new WorkerCrashedException("the model worker sent an unknown event: " + line);
            }
        }
    }

    private Map<String, Object> readLine() {
        String line;
        try {
            line = out.readLine();
        } catch (IOException e) {
            throw new WorkerCrashedException("cannot read from the model worker: " + e.getMessage() + exitText());
        }
        if (line == null) {
            throw new WorkerCrashedException("the model worker exited" + exitText());
        }
        try {
            return WorkerLines.read(line);
        } catch (IllegalArgumentException e) {
            throw new WorkerCrashedException("the model worker wrote a line that is not a JSON object: " + line);
        }
    }

    private String exitText() {
        try {
            if (process.waitFor(2, TimeUnit.SECONDS)) {
                return " with code " + process.exitValue();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return "";
    }

    /** Asks the worker to shut down and waits briefly; kills it if it does not go. */
    @Override
    public void close() {
        try {
            if (process.isAlive()) {
                in.write(WorkerLines.request("shutdown", new WorkerRequest.Shutdown()) + "\n");
                in.flush();
            }
        } catch (IOException e) {
            // already gone
        }
        try {
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }

    /** Kills the process at once (a stuck worker). */
    public void kill() {
        process.destroyForcibly();
    }
}
