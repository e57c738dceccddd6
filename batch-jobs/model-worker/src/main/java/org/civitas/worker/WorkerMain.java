package org.civitas.worker;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.civitas.federation.core.dataset.ManifestImporter;
import org.civitas.federation.core.dataset.Sample;
import org.civitas.federation.core.model.manifest.ModelManifest;
import org.civitas.federation.core.tensor.NamedTensors;
import org.civitas.federation.core.tensor.SafeTensors;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.logging.Logger;

/**
 * The worker process: answers {@link WorkerProtocol} requests from stdin until {@code shutdown}
 * or end of input. Towers, models and prepared datasets stay loaded between requests, which is
 * what keeping the worker warm across rounds buys.
 */
public final class WorkerMain {

    private static final Logger LOG = Logger.getLogger(WorkerMain.class.getName());

    private final ObjectMapper json = new ObjectMapper().configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, true);
    private final PrintStream out;
    private final String device;
    private final int threads;
    private final NDManager manager;
    private final Map<String, Loaded> models = new LinkedHashMap<>();
    private final Map<String, LabeledBatchSource> datasets = new LinkedHashMap<>();

    /** A manifest's towers and model, loaded once. */
    private record Loaded(ModelManifest manifest, TextTower text, ImageTensors images, MultimodalModel model) {
    }

    WorkerMain(PrintStream out, String device, int threads) {
        this.out = out;
        this.device = device;
        this.threads = threads;
        this.manager = Engine.getEngine("PyTorch").newBaseManager();
    }

    public static void main(String[] args) throws IOException {
        // Protocol lines only on stdout; everything else (DJL, ONNX Runtime, our logs) on stderr.
        PrintStream protocol = new PrintStream(new java.io.FileOutputStream(java.io.FileDescriptor.out), true, StandardCharsets.UTF_8);
        System.setOut(System.err);
        System.setProperty("ai.djl.offline", "true");
        String device = System.getProperty("civitas.compute.device", "cpu");
        int threads = Integer.getInteger("civitas.worker.threads", Math.max(1, Runtime.getRuntime().availableProcessors()));
        System.setProperty("ai.djl.pytorch.num_threads", Integer.toString(threads));
        System.setProperty("ai.djl.pytorch.num_interop_threads", "1");
        WorkerMain worker = new WorkerMain(protocol, device, threads);
        worker.serve(new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8)));
    }

    /** The request whose cancellation was asked for; a training request checks it at every step. */
    private volatile String cancelRequested;
    private static final String END_OF_INPUT = "\u0000end";

    /**
     * Reads requests from a thread of its own, so that a {@code cancel} line (sent while a request
     * runs) is seen at once: training then stops at its next step, answers the error "cancelled",
     * and the worker stays warm for the next request (a killed worker costs a restart).
     */
    void serve(BufferedReader in) throws IOException {
        Engine engine = Engine.getEngine("PyTorch");
        emit(WorkerProtocol.ready(engine.getEngineName() + " " + engine.getVersion(), device));
        java.util.concurrent.BlockingQueue<String> lines = new java.util.concurrent.LinkedBlockingQueue<>();
        Thread reader = new Thread(() -> {
            try {
                String l;
                while ((l = in.readLine()) != null) {
                    String cancel = WorkerProtocol.cancelTarget(json, l);
                    if (cancel != null) {
                        cancelRequested = cancel;
                    } else {
                        lines.add(l);
                    }
                }
            } catch (IOException e) {
                LOG.warning("cannot read requests: " + e);
            } finally {
                lines.add(END_OF_INPUT);
            }
        }, "worker-requests");
        reader.setDaemon(true);
        reader.start();
        String line;
        while (!END_OF_INPUT.equals(line = take(lines))) {
            if (line.isBlank()) {
                continue;
            }
            WorkerProtocol.Request request;
            try {
                request = json.readValue(line, WorkerProtocol.Request.class);
            } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
                emit(Map.of("event", "error", "message", "malformed request: " + e.getOriginalMessage()));
                continue;
            }
            if ("shutdown".equals(request.op())) {
                emit(Map.of("id", String.valueOf(request.id()), "event", "result"));
                break;
            }
            try {
                emit(handle(request));
            } catch (RuntimeException e) {
                LOG.warning("request " + request.id() + " failed: " + e);
                emit(Map.of("id", String.valueOf(request.id()), "event", "error",
                        "message", e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage()));
            }
        }
        models.values().forEach(l -> {
            l.model().close();
            l.text().close();
        });
        manager.close();
    }

    private static String take(java.util.concurrent.BlockingQueue<String> lines) {
        try {
            return lines.take();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return END_OF_INPUT;
        }
    }

    private Map<String, Object> handle(WorkerProtocol.Request r) {
        String id = String.valueOf(r.id());
        return switch (r.op() == null ? "" : r.op()) {
            case "ping" -> Map.of("id", id, "event", "result");
            case "embed" -> {
                Loaded loaded = load(r.manifest());
                if (r.texts() == null) {
                    throw new IllegalArgumentException("embed needs texts");
                }
                yield Map.of("id", id, "event", "result", "vectors", loaded.text().embed(r.texts()));
            }
            case "evaluate" -> {
                Loaded loaded = load(r.manifest());
                LabeledBatchSource data = dataset(loaded, required(r.dataset(), "dataset"));
                loaded.model().load(readState(required(r.state(), "state")));
                int[] predicted = new int[data.size()];
                double loss = LocalTraining.predict(loaded.model(), data, 64, predicted);
                int classes = loaded.manifest().labels().size();
                LocalTraining.Metrics m = LocalTraining.metrics(data.labels(), predicted, classes, loss);
                yield Map.of("id", id, "event", "result", "samples", m.samples(),
                        "metrics", Map.of("loss", m.loss(), "accuracy", m.accuracy(), "macroF1", m.macroF1()),
                        "macroF1ByScenario", LocalTraining.macroF1ByScenario(data, predicted, classes));
            }
            case "train" -> train(id, r);
            default -> throw new IllegalArgumentException("unknown op '" + r.op() + "' (ops: train, evaluate, embed, ping, shutdown)");
        };
    }

    private Map<String, Object> train(String id, WorkerProtocol.Request r) {
        Loaded loaded = load(r.manifest());
        LabeledBatchSource data = dataset(loaded, required(r.dataset(), "dataset"));
        NamedTensors global = readState(required(r.state(), "state"));
        Path target = Path.of(required(r.out(), "out"));
        LocalTraining.Hyper hyper = (r.hyper() == null ? new WorkerProtocol.Hyper(null, null, null, null, null) : r.hyper()).resolve();
        long start = System.nanoTime();
        long[] lastEmit = {0};
        Map<String, Object> heldout = null;
        if (r.heldout() != null) {
            LabeledBatchSource split = dataset(loaded, r.heldout());
            loaded.model().load(global);
            LocalTraining.Metrics m = LocalTraining.evaluate(loaded.model(), split, 64);
            heldout = Map.of("samples", m.samples(), "accuracy", m.accuracy(), "macroF1", m.macroF1(), "loss", m.loss());
        }
        LocalTraining.Checkpoint checkpoint = r.checkpoint() == null ? LocalTraining.NONE
                : new FileCheckpoint(Path.of(r.checkpoint()), Artifacts.sha256(SafeTensors.write(global)) + "|" + hyper);
        LocalTraining.Outcome outcome = LocalTraining.train(loaded.model(), global, data, hyper, new LocalTraining.Progress() {
            @Override
            public void step(int step, int steps, double loss) {
                long now = System.nanoTime();
                if (step == steps || now - lastEmit[0] > 250_000_000L) {
                    lastEmit[0] = now;
                    emit(Map.of("id", id, "event", "progress", "step", step, "steps", steps, "loss", loss));
                }
            }

            @Override
            public boolean stopRequested() {
                // Training saves its progress at this step and stops: a restarted request resumes here.
                return id.equals(cancelRequested);
            }
        }, checkpoint);
        byte[] bytes = SafeTensors.write(outcome.delta(), Map.of("kind", "update", "manifest", loaded.manifest().sha256()));
        try {
            Files.createDirectories(target.toAbsolutePath().getParent());
            Path partial = target.resolveSibling(target.getFileName() + ".partial");
            Files.write(partial, bytes);
            Files.move(partial, target, java.nio.file.StandardCopyOption.REPLACE_EXISTING, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new IllegalArgumentException("out: cannot write '" + target + "': " + e.getMessage());
        }
        Map<String, Object> metrics = new LinkedHashMap<>();
        metrics.put("trainLoss", outcome.trainLoss());
        metrics.put("globalLoss", outcome.before().loss());
        metrics.put("globalAccuracy", outcome.before().accuracy());
        metrics.put("loss", outcome.after().loss());
        metrics.put("accuracy", outcome.after().accuracy());
        metrics.put("macroF1", outcome.after().macroF1());
        metrics.put("steps", outcome.steps());
        metrics.put("seconds", (System.nanoTime() - start) / 1e9);
        Map<String, Object> result = new LinkedHashMap<>(Map.of("id", id, "event", "result", "out", target.toString(),
                "sha256", Artifacts.sha256(bytes), "samples", data.size(), "metrics", metrics));
        if (heldout != null) {
            result.put("heldout", heldout);
        }
        return result;
    }

    private Loaded load(String manifestPath) {
        ModelManifest manifest;
        if (manifestPath == null) {
            manifest = ModelManifest.citySafetyDefault();
        } else {
            try {
                manifest = ModelManifest.parse(Files.readString(Path.of(manifestPath)));
            } catch (IOException e) {
                throw new IllegalArgumentException("manifest: cannot read '" + manifestPath + "': " + e.getMessage());
            }
        }
        return models.computeIfAbsent(manifest.sha256(), sha -> {
            if (!"cnn".equals(manifest.image().kind())) {
                throw new IllegalArgumentException("image.kind 'onnx' is not served by this worker yet; use 'cnn'");
            }
            return new Loaded(manifest, new TextTower(manifest.text(), device, threads), new ImageTensors(manifest.image().size()),
                    new MultimodalModel(manifest, manager));
        });
    }

    /** The dataset's labeled samples, prepared once per manifest and dataset version (its file's modification time). */
    private LabeledBatchSource dataset(Loaded loaded, String manifestFile) {
        Path path = Path.of(manifestFile);
        String key;
        try {
            key = loaded.manifest().sha256() + "|" + path.toAbsolutePath() + "|" + Files.getLastModifiedTime(path).toMillis();
        } catch (IOException e) {
            throw new IllegalArgumentException("dataset: cannot read '" + manifestFile + "': " + e.getMessage());
        }
        return datasets.computeIfAbsent(key, k -> {
            ManifestImporter.Report report;
            try {
                report = ManifestImporter.check(path, new HashSet<>(loaded.manifest().labels()), true);
            } catch (IOException e) {
                throw new IllegalArgumentException("dataset: cannot read '" + manifestFile + "': " + e.getMessage());
            }
            List<Sample> labeled = report.samples().stream().filter(s -> s.label() != null).toList();
            if (labeled.isEmpty()) {
                throw new IllegalArgumentException("dataset '" + manifestFile + "' has no labeled samples the model can use ("
                        + report.errors().size() + " bad lines)");
            }
            return LabeledBatchSource.of(labeled, path.getParent(), loaded.manifest().labels(), loaded.text(), loaded.images());
        });
    }

    private static NamedTensors readState(String file) {
        try {
            return SafeTensors.read(Files.readAllBytes(Path.of(file))).tensors();
        } catch (IOException e) {
            throw new IllegalArgumentException("state: cannot read '" + file + "': " + e.getMessage());
        }
    }

    private static String required(String value, String field) {
        if (value == null || value.isBlank()) {
            throw new IllegalArgumentException("the request needs '" + field + "'");
        }
        return value;
    }

    private synchronized void emit(Map<String, Object> message) {
        try {
            out.println(json.writeValueAsString(message));
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
