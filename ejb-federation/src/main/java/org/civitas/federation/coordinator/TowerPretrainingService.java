package org.civitas.federation.coordinator;

import jakarta.batch.runtime.BatchRuntime;
import jakarta.ejb.EJB;
import jakarta.ejb.Local;
import jakarta.ejb.LocalBean;
import jakarta.ejb.Stateless;
import jakarta.ejb.TransactionAttribute;
import jakarta.ejb.TransactionAttributeType;
import jakarta.inject.Inject;
import org.civitas.batch.pretraining.TowerPretrainingSteps;
import org.civitas.domain.pretraining.PublicDataset;
import org.civitas.domain.pretraining.TowerPretraining;
import org.civitas.federation.common.AuditService;
import org.civitas.federation.common.Caller;
import org.civitas.federation.common.ConflictException;
import org.civitas.federation.common.InvalidRequestException;
import org.civitas.federation.common.NotFoundException;
import org.civitas.federation.common.UnprocessableException;
import org.civitas.federation.core.dataset.ManifestImporter;
import org.civitas.federation.core.json.JsonTree;
import org.civitas.federation.core.model.manifest.ModelManifest;
import org.civitas.federation.core.model.manifest.MultimodalWeights;
import org.civitas.federation.core.tensor.NamedTensors;
import org.civitas.federation.core.tensor.SafeTensors;
import org.civitas.federation.core.worker.WorkerRequest;
import org.civitas.federation.core.worker.WorkerResult;
import org.civitas.federation.infrastructure.ArtifactFiles;
import org.civitas.federation.infrastructure.CivitasSettings;
import org.civitas.federation.infrastructure.worker.ModelWorker;
import org.civitas.domain.security.Role;
import org.civitas.infrastructure.persistence.PretrainingRepository;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;

/**
 * Image towers pretrained at the coordinator on public data the consortium names: the base that
 * federations adapt. A consortium administrator registers a public dataset (a manifest in the
 * coordinator's folder, with labels of its own) and asks for a tower, declared as a manifest's
 * {@code image} object, to be pretrained on it. The {@code pretrain-image-tower} job trains the
 * tower with a classification head for the dataset's labels in the coordinator's model worker on
 * nine in ten samples, measures it on the tenth, and keeps the tower's tensors (not the head) as an
 * artifact named by its hash. A manifest that names that hash in {@code image.base} starts its
 * federations' version 0 from it, and its registry entry keeps the run as the base's lineage.
 */
@Stateless
@LocalBean
@Local(TowerPretrainingSteps.class)
public class TowerPretrainingService implements TowerPretrainingSteps {

    public static final String JOB = "pretrain-image-tower";

    private static final java.util.logging.Logger LOG = java.util.logging.Logger.getLogger(TowerPretrainingService.class.getName());

    /** One sample in this many is held out to measure the pretrained tower. */
    static final int HELDOUT_EVERY = 10;

    @Inject
    Clock clock;

    @Inject
    CivitasSettings settings;

    @Inject
    PretrainingRepository repository;

    @Inject
    ArtifactFiles artifacts;

    @EJB
    ModelWorker worker;

    @EJB
    AuditService audit;

    @EJB
    TowerPretrainingService self;

    public record PublicDatasetView(String name, String description, String manifest, String contentSha256, int samples,
                                    List<String> labels, String registeredBy, Instant registeredAt) {
    }

    /** A run, with what it was asked to do (its lineage), where it stands, and its result. */
    public record RunView(long id, String name, String status, String image, String dataset, String datasetSha256, int epochs,
                          double learningRate, int batchSize, long seed, int stepsDone, int steps, Double lastLoss, List<Double> loss,
                          Integer trainSamples, Integer heldoutSamples, Double heldoutAccuracy, Double heldoutMacroF1, String base,
                          Long baseBytes, String message, Long jobExecutionId, String requestedBy, Instant requestedAt,
                          Instant finishedAt) {
    }

    /** What a pretraining asks for: a name, the tower (a manifest's {@code image} object) and the public dataset. */
    public record PretrainingRequest(String name, Map<String, Object> image, String dataset, Integer epochs, Double learningRate,
                                     Integer batchSize, Long seed) {
    }

    /**
     * Registers public data for pretraining: the manifest must lie in the coordinator's folder, every
     * sample must carry an image and a label, and its labels are whatever its samples name.
     */
    public PublicDatasetView registerPublicDataset(Caller caller, String name, String description, String manifest) {
        caller.require("register public datasets", Role.CONSORTIUM_ADMIN);
        if (name == null || !name.matches("[a-z0-9][a-z0-9-]{0,99}")) {
            throw new InvalidRequestException("name: a public dataset needs a name of lower-case letters, digits and -, was '" + name + "'");
        }
        if (repository.dataset(name).isPresent()) {
            throw new ConflictException("public dataset '" + name + "' is registered already");
        }
        Path root = settings.coordinatorDir().toAbsolutePath().normalize();
        Path file = CoordinatorFolder.manifestInside(root, manifest);
        Set<String> labels = labelsOf(file, manifest);
        ManifestImporter.Report report;
        try {
            report = ManifestImporter.check(file, labels, Set.of("image", "text"), false, settings.imageMaxPixels());
        } catch (IOException e) {
            throw new InvalidRequestException("manifest: cannot read '" + manifest + "': " + e.getMessage());
        }
        if (!report.accepted()) {
            String first = report.errors().stream().limit(3).map(e -> "line " + e.line() + ": " + e.error())
                    .collect(java.util.stream.Collectors.joining("; "));
            throw new UnprocessableException("public dataset '" + name + "': " + report.errors().size() + " invalid lines (" + first
                    + "); nothing was registered");
        }
        ManifestImporter.Summary summary = report.summary();
        if (summary.images() < summary.samples() || summary.labeled() < summary.samples()) {
            throw new UnprocessableException("public dataset '" + name + "': pretraining an image tower needs an image and a label in"
                    + " every sample; " + (summary.samples() - summary.images()) + " of " + summary.samples() + " lack an image and "
                    + (summary.samples() - summary.labeled()) + " a label");
        }
        if (labels.size() < 2 || summary.samples() < 2 * HELDOUT_EVERY) {
            throw new UnprocessableException("public dataset '" + name + "': pretraining needs at least 2 labels and "
                    + 2 * HELDOUT_EVERY + " samples, it has " + labels.size() + " and " + summary.samples());
        }
        PublicDataset stored = repository.add(new PublicDataset(name, description == null ? "" : description,
                root.relativize(file).toString(), summary.contentSha256(), summary.samples(), jsonArray(labels), caller.username(),
                clock.instant()));
        audit.record(caller.actor(), "public-dataset.registered", "public dataset " + name,
                stored.getSamples() + " samples, labels " + labels + ", content sha256 " + stored.getContentSha256());
        return view(stored);
    }

    public List<PublicDatasetView> publicDatasets() {
        return repository.datasets().stream().map(TowerPretrainingService::view).toList();
    }

    /**
     * Starts a pretraining run: the tower is checked as a manifest would check it, then the job runs.
     *
     * @throws InvalidRequestException naming the field that is missing or wrong
     */
    @TransactionAttribute(TransactionAttributeType.NOT_SUPPORTED)
    public RunView start(Caller caller, PretrainingRequest request) {
        caller.require("pretrain image towers", Role.CONSORTIUM_ADMIN);
        if (request == null || request.name() == null || request.name().isBlank() || request.name().length() > 100) {
            throw new InvalidRequestException("name: a pretraining run needs a name of 1 to 100 characters");
        }
        if (request.image() == null) {
            throw new InvalidRequestException("image: declare the tower as a manifest's image object, e.g. {\"kind\": \"cnn\", \"size\": 32,"
                    + " \"preset\": \"small\"}");
        }
        if (request.image().containsKey("base")) {
            throw new InvalidRequestException("image.base: a pretraining run makes a base; declare the tower without one");
        }
        PublicDataset dataset = self.dataset(request.dataset());
        int epochs = within("epochs", request.epochs(), 5, 1, 100);
        int batchSize = within("batchSize", request.batchSize(), 64, 1, 4096);
        double learningRate = request.learningRate() == null ? 0.001 : request.learningRate();
        if (!(learningRate > 0 && learningRate <= 1)) {
            throw new InvalidRequestException("learningRate must be in (0, 1], was " + learningRate);
        }
        long seed = request.seed() == null ? 1 : request.seed();
        ModelManifest manifest = pretrainingManifest(request.name(), canonicalImage(request.image()), labels(dataset), seed);
        String image = imageJson(manifest);
        TowerPretraining run = self.add(new TowerPretraining(request.name(), image, dataset.getName(), dataset.getContentSha256(), epochs,
                learningRate, batchSize, seed, caller.username(), clock.instant()));
        Properties params = new Properties();
        params.setProperty("run", Long.toString(run.getId()));
        // Started once the run is committed, so the job finds it.
        long execution = BatchRuntime.getJobOperator().start(JOB, params);
        self.started(run.getId(), execution, caller.actor(), "tower " + image + " on public dataset " + dataset.getName()
                + " (content sha256 " + dataset.getContentSha256() + "), " + epochs + " epochs");
        return self.run(run.getId());
    }

    @TransactionAttribute(TransactionAttributeType.REQUIRED)
    public PublicDataset dataset(String name) {
        if (name == null) {
            throw new InvalidRequestException("dataset: name the registered public dataset to pretrain on");
        }
        return repository.dataset(name).orElseThrow(() -> new InvalidRequestException("dataset: no public dataset '" + name
                + "' is registered (POST /api/public-datasets)"));
    }

    @TransactionAttribute(TransactionAttributeType.REQUIRED)
    public TowerPretraining add(TowerPretraining run) {
        return repository.add(run);
    }

    @TransactionAttribute(TransactionAttributeType.REQUIRED)
    public void started(long runId, long execution, String actor, String detail) {
        repository.run(runId).orElseThrow().executionIs(execution);
        audit.record(actor, "pretraining.started", "pretraining run " + runId, detail);
    }

    public RunView run(long id) {
        return view(repository.run(id).orElseThrow(() -> new NotFoundException("pretraining run " + id + " does not exist")));
    }

    public List<RunView> runs() {
        return repository.runs(100).stream().map(TowerPretrainingService::view).toList();
    }

    /** The completed run that produced this base, if it was pretrained here (an uploaded base has none). */
    public java.util.Optional<RunView> producing(String baseSha256) {
        return repository.producing(baseSha256).map(TowerPretrainingService::view);
    }

    /** What the job runs, outside any transaction: the worker call takes minutes. */
    @Override
    @TransactionAttribute(TransactionAttributeType.NOT_SUPPORTED)
    public String pretrain(long runId) {
        Snapshot s = self.snapshot(runId);
        if (s.done()) {
            return "pretraining run " + runId + " ended already";
        }
        Path work = settings.coordinatorDir().resolve("work").resolve("pretraining-" + runId);
        try {
            ModelManifest manifest = pretrainingManifest(s.name(), s.image(), s.labels(), s.seed());
            Files.createDirectories(work);
            Path manifestFile = work.resolve("manifest.json");
            Files.writeString(manifestFile, manifest.canonicalJson());
            Path source = settings.coordinatorDir().resolve(s.datasetManifest());
            String sha = contentSha256(source, s.labels());
            if (!sha.equals(s.datasetSha256())) {
                throw new IllegalStateException("public dataset " + s.dataset() + " changed since it was registered (content sha256 " + sha
                        + ", registered " + s.datasetSha256() + "): not pretrained on it");
            }
            int[] counts = split(source, HELDOUT_EVERY);
            self.running(runId, counts[0], counts[1]);
            NamedTensors initial = MultimodalWeights.initialState(manifest);
            Path stateFile = work.resolve("initial.safetensors");
            Files.write(stateFile, SafeTensors.write(initial));
            Path out = work.resolve("update.safetensors");
            LossCurve curve = new LossCurve();
            WorkerResult.Trained trained = worker.request(new WorkerRequest.Train(manifestFile.toString(), trainFile(source).toString(),
                    stateFile.toString(), out.toString(), new WorkerRequest.Hyper(s.epochs(), s.learningRate(), s.batchSize(), s.seed(),
                    null), null, null), (step, steps, loss) -> {
                        if (curve.add(step, steps, loss)) {
                            self.progress(runId, step, steps, loss, curve.json());
                        }
                    }).result();
            NamedTensors state = initial.plusScaled(SafeTensors.read(Files.readAllBytes(out)).tensors(), 1f);
            Path trainedFile = work.resolve("trained.safetensors");
            Files.write(trainedFile, SafeTensors.write(state));
            WorkerResult.Evaluated heldout = worker.request(new WorkerRequest.Evaluate(manifestFile.toString(),
                    heldoutFile(source).toString(), trainedFile.toString()), (step, steps, loss) -> { }).result();
            byte[] base = SafeTensors.write(tower(state, manifest), Map.of("kind", "image-base", "pretraining", String.valueOf(runId),
                    "dataset", s.dataset(), "datasetSha256", s.datasetSha256()));
            String baseSha = sha256(base);
            artifacts.put(new ByteArrayInputStream(base), baseSha);
            self.completed(runId, baseSha, base.length, heldout.accuracy(), heldout.macroF1(), trained.metrics().steps(), curve.json());
            String summary = String.format(Locale.ROOT, "pretraining run %d: %d samples of %s, %d epochs; held-out accuracy %.3f,"
                    + " macro-F1 %.3f on %d samples; base sha256:%s", runId, counts[0], s.dataset(), s.epochs(), heldout.accuracy(),
                    heldout.macroF1(), counts[1], baseSha);
            LOG.info(summary);
            return summary;
        } catch (IOException | RuntimeException e) {
            String reason = e instanceof UncheckedIOException u ? u.getCause().getMessage() : e.getMessage();
            self.failed(runId, reason == null ? e.getClass().getSimpleName() : reason);
            return "pretraining run " + runId + " failed: " + reason;
        } finally {
            deleteQuietly(work);
        }
    }

    /** What the job needs of a run and its dataset, read in a transaction of its own. */
    public record Snapshot(String name, String image, String dataset, String datasetManifest, String datasetSha256, List<String> labels,
                           int epochs, double learningRate, int batchSize, long seed, boolean done) {
    }

    @TransactionAttribute(TransactionAttributeType.REQUIRED)
    public Snapshot snapshot(long runId) {
        TowerPretraining run = repository.run(runId).orElseThrow(() -> new NotFoundException("pretraining run " + runId + " does not exist"));
        PublicDataset dataset = repository.dataset(run.getDatasetName()).orElseThrow();
        boolean done = run.getStatus() == TowerPretraining.Status.COMPLETED || run.getStatus() == TowerPretraining.Status.FAILED;
        return new Snapshot(run.getName(), run.getImageJson(), dataset.getName(), dataset.getManifest(), run.getDatasetSha256(),
                labels(dataset), run.getEpochs(), run.getLearningRate(), run.getBatchSize(), run.getSeed(), done);
    }

    @TransactionAttribute(TransactionAttributeType.REQUIRES_NEW)
    public void running(long runId, int trainSamples, int heldoutSamples) {
        repository.run(runId).orElseThrow().running(trainSamples, heldoutSamples);
    }

    @TransactionAttribute(TransactionAttributeType.REQUIRES_NEW)
    public void progress(long runId, int step, int steps, double loss, String lossJson) {
        repository.run(runId).orElseThrow().progress(step, steps, loss, lossJson);
    }

    @TransactionAttribute(TransactionAttributeType.REQUIRES_NEW)
    public void completed(long runId, String baseSha256, long bytes, double accuracy, double macroF1, int steps, String lossJson) {
        TowerPretraining run = repository.run(runId).orElseThrow();
        run.progress(steps, steps, run.getLastLoss() == null ? Double.NaN : run.getLastLoss(), lossJson);
        run.completed(baseSha256, bytes, accuracy, macroF1, clock.instant());
        audit.record(AuditService.SYSTEM, "pretraining.completed", "pretraining run " + runId, String.format(Locale.ROOT,
                "tower %s on %s (content sha256 %s): held-out accuracy %.4f, macro-F1 %.4f; base sha256:%s", run.getImageJson(),
                run.getDatasetName(), run.getDatasetSha256(), accuracy, macroF1, baseSha256));
    }

    @TransactionAttribute(TransactionAttributeType.REQUIRES_NEW)
    public void failed(long runId, String reason) {
        repository.run(runId).orElseThrow().failed(reason, clock.instant());
        audit.record(AuditService.SYSTEM, "pretraining.failed", "pretraining run " + runId, reason);
    }

    /**
     * The model a tower is pretrained in: the tower, a fusion layer with LoRA and a head for the
     * dataset's labels. Only the tower is kept; the head is the pretraining task's, not the federation's.
     */
    static ModelManifest pretrainingManifest(String name, String imageJson, List<String> labels, long seed) {
        String json = "{\"name\":" + org.civitas.federation.core.json.CanonicalJson.string("pretraining " + name) + ",\"image\":" + imageJson
                + ",\"fusion\":{\"hidden\":64,\"seed\":" + seed + "},\"adapter\":{\"rank\":8,\"alpha\":16,\"targets\":[\"fusion\"]}}";
        ModelManifest manifest;
        try {
            manifest = ModelManifest.parse(json);
        } catch (ModelManifest.InvalidManifestException e) {
            throw new InvalidRequestException("image: " + String.join("; ", e.problems()));
        }
        if (manifest.image() == null || !"cnn".equals(manifest.image().kind()) || !manifest.image().channels().isEmpty()) {
            throw new InvalidRequestException("image: only a CNN tower declared by preset or blocks is pretrained here, not " + imageJson);
        }
        return manifest.withLabels(labels);
    }

    /** The tower's tensors of a trained state: what a manifest's {@code image.base} names. */
    static NamedTensors tower(NamedTensors state, ModelManifest manifest) {
        NamedTensors.Builder b = NamedTensors.builder();
        manifest.image().cnn().shapes(manifest.image().size()).keySet().forEach(name -> b.put(name, state.get(name)));
        return b.build();
    }

    /** The tower's {@code image} object as the canonical manifest spells it out: presets and defaults made explicit. */
    private static String imageJson(ModelManifest manifest) {
        try (jakarta.json.JsonReader reader = jakarta.json.Json.createReader(new java.io.StringReader(manifest.canonicalJson()))) {
            return org.civitas.federation.core.json.CanonicalJson.of(reader.readObject().getJsonObject("image").toString());
        }
    }

    private static String canonicalImage(Map<String, Object> image) {
        try {
            return jakarta.json.Json.createObjectBuilder(image).build().toString();
        } catch (IllegalArgumentException e) {
            throw new InvalidRequestException("image: not a JSON object a manifest can hold: " + e.getMessage());
        }
    }

    /** Keeps about a tenth of the run's points for the loss curve, each the mean of the steps since the last. */
    static final class LossCurve {
        private final List<Double> points = new ArrayList<>();
        private double sum;
        private int count;

        boolean add(int step, int steps, double loss) {
            sum += loss;
            count++;
            int every = Math.max(1, steps / 50);
            if (step % every != 0 && step != steps) {
                return false;
            }
            points.add(sum / count);
            sum = 0;
            count = 0;
            return true;
        }

        String json() {
            return points.stream().map(p -> String.format(Locale.ROOT, "%.5f", p)).collect(java.util.stream.Collectors.joining(",", "[", "]"));
        }
    }

    private static Path trainFile(Path source) {
        return source.resolveSibling(".pretraining-train-" + source.getFileName());
    }

    private static Path heldoutFile(Path source) {
        return source.resolveSibling(".pretraining-heldout-" + source.getFileName());
    }

    /**
     * Writes the train and held-out manifests beside the dataset's (images resolve against its
     * folder): every {@code every}-th sample is held out. The counts of both.
     */
    static int[] split(Path source, int every) throws IOException {
        List<String> train = new ArrayList<>();
        List<String> heldout = new ArrayList<>();
        int i = 0;
        for (String line : Files.readAllLines(source, StandardCharsets.UTF_8)) {
            if (line.isBlank()) {
                continue;
            }
            (i++ % every == every - 1 ? heldout : train).add(line);
        }
        Files.write(trainFile(source), train, StandardCharsets.UTF_8);
        Files.write(heldoutFile(source), heldout, StandardCharsets.UTF_8);
        return new int[] {train.size(), heldout.size()};
    }

    private String contentSha256(Path file, List<String> labels) throws IOException {
        return ManifestImporter.check(file, new TreeSet<>(labels), Set.of("image", "text"), false, settings.imageMaxPixels()).summary()
                .contentSha256();
    }

    /** The labels the manifest's samples carry. */
    private static Set<String> labelsOf(Path file, String manifest) {
        Set<String> labels = new TreeSet<>();
        try {
            for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
                if (line.isBlank()) {
                    continue;
                }
                try {
                    String label = org.civitas.federation.core.dataset.ManifestFormat.read(line).label();
                    if (label != null) {
                        labels.add(label);
                    }
                } catch (IllegalArgumentException e) {
                    // the import check names the bad line
                }
            }
        } catch (IOException e) {
            throw new InvalidRequestException("manifest: cannot read '" + manifest + "': " + e.getMessage());
        }
        return labels;
    }

    private static int within(String field, Integer value, int fallback, int min, int max) {
        int v = value == null ? fallback : value;
        if (v < min || v > max) {
            throw new InvalidRequestException(field + " must be in [" + min + ", " + max + "], was " + v);
        }
        return v;
    }

    private static List<String> labels(PublicDataset dataset) {
        List<String> labels = new ArrayList<>();
        for (Object o : (List<?>) JsonTree.parse(dataset.getLabelsJson())) {
            labels.add((String) o);
        }
        return labels;
    }

    private static String jsonArray(Set<String> labels) {
        return labels.stream().map(org.civitas.federation.core.json.CanonicalJson::string).collect(java.util.stream.Collectors.joining(",", "[", "]"));
    }

    private static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static void deleteQuietly(Path dir) {
        try (var files = Files.walk(dir)) {
            files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            // a leftover work folder is never read again
        }
    }

    static PublicDatasetView view(PublicDataset d) {
        return new PublicDatasetView(d.getName(), d.getDescription(), d.getManifest(), d.getContentSha256(), d.getSamples(), labels(d),
                d.getRegisteredBy(), d.getRegisteredAt());
    }

    static RunView view(TowerPretraining r) {
        List<Double> loss = new ArrayList<>();
        for (Object o : (List<?>) JsonTree.parse(r.getLossJson())) {
            loss.add(((Number) o).doubleValue());
        }
        return new RunView(r.getId(), r.getName(), r.getStatus().name(), r.getImageJson(), r.getDatasetName(), r.getDatasetSha256(),
                r.getEpochs(), r.getLearningRate(), r.getBatchSize(), r.getSeed(), r.getStepsDone(), r.getSteps(), r.getLastLoss(), loss,
                r.getTrainSamples(), r.getHeldoutSamples(), r.getHeldoutAccuracy(), r.getHeldoutMacroF1(),
                r.getBaseSha256() == null ? null : "sha256:" + r.getBaseSha256(), r.getBaseBytes(), r.getMessage(), r.getJobExecutionId(),
                r.getRequestedBy(), r.getRequestedAt(), r.getFinishedAt());
    }
}
