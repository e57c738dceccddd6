package org.civitas.worker;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDManager;
import org.civitas.federation.core.dataset.ManifestImporter;
import org.civitas.federation.core.evaluation.ConfusionMatrix;
import org.civitas.federation.core.dataset.Sample;
import org.civitas.federation.core.model.manifest.ModelManifest;
import org.civitas.federation.core.tensor.NamedTensors;
import org.civitas.federation.core.tensor.SafeTensors;
import org.civitas.federation.core.worker.WorkerLines;
import org.civitas.federation.core.worker.WorkerRequest;
import org.civitas.federation.core.worker.WorkerResult;

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
 * The worker process: answers {@link WorkerRequest}s from stdin until {@code shutdown}
 * or end of input. Towers, models and prepared datasets stay loaded between requests, which is
 * what keeping the worker warm across rounds buys.
 */
public final class WorkerMain {

    private static final Logger LOG = Logger.getLogger(WorkerMain.class.getName());

    private final PrintStream out;
    private final String device;
    private final int threads;
    private final NDManager manager;
    private final Map<String, Loaded> models = new LinkedHashMap<>();
    private final Map<String, LabeledBatchSource> datasets = new LinkedHashMap<>();

    /** A manifest's towers and model, loaded once. */
    private record Loaded(ModelManifest manifest, TextTower text, ImageTensors images, ImageEncoder imageEncoder, MultimodalModel model) {
    }

    /** Where operators' artifacts ({@code sha256:<hex>}) lie, fetched by the server that runs this worker. */
    private final String artifactDir = System.getProperty("civitas.worker.artifacts");

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
        emit(WorkerLines.ready(engine.getEngineName() + " " + engine.getVersion(), device, ProcessHandle.current().pid()));
        java.util.concurrent.BlockingQueue<String> lines = new java.util.concurrent.LinkedBlockingQueue<>();
        Thread reader = new Thread(() -> {
            try {
                String l;
                while ((l = in.readLine()) != null) {
                    String cancel = WorkerProtocol.cancelTarget(l);
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
            Map<String, Object> fields;
            try {
                fields = WorkerLines.read(line);
            } catch (IllegalArgumentException e) {
                emit(WorkerLines.error(null, "malformed request: " + e.getMessage()));
                continue;
            }
            String id = String.valueOf(fields.get("id"));
            WorkerRequest<?> request;
            try {
                request = WorkerRequest.parse(fields);
            } catch (IllegalArgumentException e) {
                emit(WorkerLines.error(id, e.getMessage()));
                continue;
            }
            if (request instanceof WorkerRequest.Shutdown) {
                emit(WorkerLines.result(id, new WorkerResult.Done()));
                break;
            }
            try {
                emit(WorkerLines.result(id, handle(id, request)));
            } catch (RuntimeException e) {
                LOG.warning("request " + id + " failed: " + e);
                emit(WorkerLines.error(id, e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage()));
            }
        }
        models.values().forEach(l -> {
            l.model().close();
            if (l.text() != null) {
                l.text().close();
            }
            if (l.imageEncoder() != null) {
                l.imageEncoder().close();
            }
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

    private WorkerResult handle(String id, WorkerRequest<?> request) {
        if (request instanceof WorkerRequest.Train r) {
            return train(id, r);
        }
        if (request instanceof WorkerRequest.Evaluate r) {
            Loaded loaded = load(r.manifest());
            LabeledBatchSource data = dataset(loaded, r.dataset());
            loaded.model().load(readState(r.state()));
            int[] predicted = new int[data.size()];
            double loss = LocalTraining.predict(loaded.model(), data, 64, predicted);
            int classes = loaded.manifest().labels().size();
            LocalTraining.Metrics m = LocalTraining.metrics(data.labels(), predicted, classes, loss);
            return new WorkerResult.Evaluated(m.samples(), m.loss(), m.accuracy(), m.macroF1(),
                    LocalTraining.macroF1ByScenario(data, predicted, classes),
                    ConfusionMatrix.of(loaded.manifest().labels(), data.labels(), predicted).counts());
        }
        if (request instanceof WorkerRequest.Predict r) {
            Loaded loaded = load(r.manifest());
            // Images of their own, not the model's cache: a prediction's files are read once, then deleted; pixels the
            // caller scaled are taken as they come.
            ImageTensors images = loaded.images() == null ? null : new ImageTensors(loaded.images().size());
            List<float[]> decoded = new java.util.ArrayList<>();
            for (WorkerRequest.Input input : r.inputs()) {
                if (input.pixels() != null) {
                    decoded.add(images == null ? null : org.civitas.federation.core.dataset.ImagePixels.chw(
                            java.util.Base64.getDecoder().decode(input.pixels()), images.size()));
                } else {
                    decoded.add(input.image() == null || images == null ? null : images.load(Path.of(input.image())));
                }
            }
            LabeledBatchSource inputs = LabeledBatchSource.unlabeledDecoded(r.inputs().stream().map(WorkerRequest.Input::text).toList(),
                    decoded, loaded.text(), images, loaded.imageEncoder());
            loaded.model().load(readState(r.state()));
            return new WorkerResult.Predicted(java.util.Arrays.asList(LocalTraining.probabilities(loaded.model(), inputs, 64)));
        }
        if (request instanceof WorkerRequest.Embed r) {
            Loaded loaded = load(r.manifest());
            if (loaded.text() == null) {
                throw new IllegalArgumentException("manifest: '" + loaded.manifest().name() + "' has no text tower to embed with");
            }
            return new WorkerResult.Embedded(java.util.Arrays.asList(loaded.text().embed(r.texts())));
        }
        if (request instanceof WorkerRequest.Load r) {
            load(r.manifest());
            return new WorkerResult.Done();
        }
        if (request instanceof WorkerRequest.Ping) {
            return new WorkerResult.Done();
        }
        throw new IllegalArgumentException("op '" + request.op() + "' is not served here");
    }

    private WorkerResult.Trained train(String id, WorkerRequest.Train r) {
        Loaded loaded = load(r.manifest());
        LabeledBatchSource data = dataset(loaded, r.dataset());
        NamedTensors global = readState(r.state());
        Path target = Path.of(r.out());
        LocalTraining.Hyper hyper = WorkerProtocol.resolve(r.hyper());
        long start = System.nanoTime();
        long[] lastEmit = {0};
        WorkerResult.Evaluation heldout = null;
        if (r.heldout() != null) {
            LabeledBatchSource split = dataset(loaded, r.heldout());
            loaded.model().load(global);
            LocalTraining.Metrics m = LocalTraining.evaluate(loaded.model(), split, 64);
            heldout = new WorkerResult.Evaluation(m.samples(), m.loss(), m.accuracy(), m.macroF1());
        }
        LocalTraining.Checkpoint checkpoint = r.checkpoint() == null ? LocalTraining.NONE
                : new FileCheckpoint(Path.of(r.checkpoint()), Artifacts.sha256(SafeTensors.write(global)) + "|" + hyper);
        LocalTraining.Outcome outcome = LocalTraining.train(loaded.model(), global, data, hyper, new LocalTraining.Progress() {
            @Override
            public void step(int step, int steps, double loss) {
                long now = System.nanoTime();
                if (step == steps || now - lastEmit[0] > 250_000_000L) {
                    lastEmit[0] = now;
                    emit(WorkerLines.progress(id, step, steps, loss));
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
        WorkerResult.TrainingMetrics metrics = new WorkerResult.TrainingMetrics(outcome.trainLoss(), outcome.before().loss(),
                outcome.before().accuracy(), outcome.after().loss(), outcome.after().accuracy(), outcome.after().macroF1(),
                outcome.steps(), (System.nanoTime() - start) / 1e9);
        return new WorkerResult.Trained(target.toString(), Artifacts.sha256(bytes), data.size(), metrics, heldout, data.modalitySamples());
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
        if (!manifest.hasLabels()) {
            throw new IllegalArgumentException("manifest: '" + manifest.name() + "' has no labels; the coordinator binds a manifest to"
                    + " its task's labels before a model is trained");
        }
        return models.computeIfAbsent(manifest.sha256(), sha -> {
            ImageEncoder encoder = manifest.image() != null && "onnx".equals(manifest.image().kind())
                    ? new ImageEncoder(manifest.image(), artifactDir, threads) : null;
            return new Loaded(manifest, manifest.text() == null ? null : new TextTower(manifest.text(), device, threads, artifactDir),
                    manifest.image() == null ? null : new ImageTensors(manifest.image().size()), encoder,
                    new MultimodalModel(manifest, manager, adaptedEncoder(manifest), imageBase(manifest)));
        });
    }

    /**
     * The image tower's pretrained weights the manifest names ({@code image.base}), checked against
     * their hash; null when it names none.
     */
    private NamedTensors imageBase(ModelManifest manifest) {
        if (manifest.image() == null || manifest.image().base() == null) {
            return null;
        }
        byte[] file = Artifacts.read(Artifacts.locate(manifest.image().base(), artifactDir), "image.base", manifest.image().baseSha256());
        try {
            return SafeTensors.read(file).tensors();
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("image.base: not a safetensors file: " + e.getMessage(), e);
        }
    }

    /**
     * The pretrained text encoder on DJL, for a manifest that adapts it; null otherwise.
     *
     * @throws IllegalArgumentException naming {@code text.layers} when the file's encoder has another depth
     */
    private TransformerEncoder adaptedEncoder(ModelManifest manifest) {
        if (manifest.text() == null || !manifest.text().adapted()) {
            return null;
        }
        ModelManifest.TextTower spec = manifest.text();
        TransformerEncoder encoder = new TransformerEncoder(OnnxWeights.read(Artifacts.read(Artifacts.locate(spec.artifact(), artifactDir),
                "text.artifact", spec.sha256())), spec.heads(), manager);
        if (encoder.layers() != spec.layers()) {
            encoder.close();
            throw new IllegalArgumentException("text.layers: the encoder has " + encoder.layers() + " layers, the manifest says "
                    + spec.layers());
        }
        return encoder;
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
            return LabeledBatchSource.of(labeled, path.getParent(), loaded.manifest().labels(), loaded.text(), loaded.images(),
                    loaded.imageEncoder());
        });
    }

    private static NamedTensors readState(String file) {
        try {
            return SafeTensors.read(Files.readAllBytes(Path.of(file))).tensors();
        } catch (IOException e) {
            throw new IllegalArgumentException("state: cannot read '" + file + "': " + e.getMessage());
        }
    }

    private synchronized void emit(String line) {
        out.println(line);
    }
}
