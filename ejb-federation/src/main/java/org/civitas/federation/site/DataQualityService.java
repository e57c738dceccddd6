package org.civitas.federation.site;

import jakarta.batch.runtime.BatchRuntime;
import jakarta.ejb.EJB;
import jakarta.ejb.Local;
import jakarta.ejb.LocalBean;
import jakarta.ejb.Stateless;
import jakarta.ejb.TransactionAttribute;
import jakarta.ejb.TransactionAttributeType;
import jakarta.inject.Inject;
import jakarta.json.bind.Jsonb;
import jakarta.json.bind.JsonbBuilder;
import org.civitas.batch.quality.DataQualitySteps;
import org.civitas.domain.consortium.Site;
import org.civitas.domain.quality.QualityFinding;
import org.civitas.domain.quality.QualityItem;
import org.civitas.domain.quality.QualityRun;
import org.civitas.domain.security.Role;
import org.civitas.federation.common.AuditService;
import org.civitas.federation.common.Caller;
import org.civitas.federation.common.ConflictException;
import org.civitas.federation.common.ForbiddenException;
import org.civitas.federation.common.InvalidRequestException;
import org.civitas.federation.common.NotFoundException;
import org.civitas.federation.core.dataset.ManifestFormat;
import org.civitas.federation.core.dataset.Sample;
import org.civitas.federation.core.dataset.Taxonomy;
import org.civitas.federation.core.quality.Finding;
import org.civitas.federation.core.quality.ItemFeatures;
import org.civitas.federation.core.quality.ItemFeaturesCodec;
import org.civitas.federation.core.quality.ItemInspector;
import org.civitas.federation.core.quality.PiiScanner;
import org.civitas.federation.core.quality.QualityAnalysis;
import org.civitas.federation.core.quality.QualityThresholds;
import org.civitas.federation.infrastructure.worker.ModelWorker;
import org.civitas.infrastructure.persistence.ConsortiumRepository;
import org.civitas.infrastructure.persistence.QualityRepository;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.time.Clock;
import org.civitas.federation.core.worker.WorkerRequest;

/**
 * Data quality at a site: starts the {@code data-quality} job over one of the site's manifests,
 * serves its steps, and shows the run's progress, report, findings and flagged images to the
 * site's own staff. Findings and the curated manifest stay at the site; only the aggregate report
 * goes to the coordinator.
 */
@Stateless
@LocalBean
@Local(DataQualitySteps.class)
public class DataQualityService implements DataQualitySteps {

    @Inject
    Clock clock;

    public static final String JOB = "data-quality";
    private static final PiiScanner PII = PiiScanner.withDefaultNames();

    /** A request to check a dataset: its registered name, its manifest inside the site's folder, and threshold changes. */
    public record StartRequest(String dataset, String manifest, Map<String, Double> thresholds, Integer shardLines) {
    }

    /** A run as the API and portal show it: progress while it runs, the aggregate report (JSON) once done. */
    public record RunView(long id, String site, String dataset, String manifest, String status, int totalItems, long itemsDone,
                          jakarta.json.JsonObject report, String curatedManifest, String message, String requestedBy, Instant startedAt,
                          Instant finishedAt) {
    }

    /** One flagged item, for the site's own staff. */
    public record FindingView(int line, String itemId, String check, double score, String reason, String relatedId) {
    }

    @EJB
    QualityRuns runs;

    @Inject
    QualityRepository quality;

    @Inject
    HostedSites hostedSites;

    @Inject
    ConsortiumRepository consortium;

    @Inject
    CoordinatorClient coordinator;

    @EJB
    ModelWorker worker;

    @EJB
    AuditService audit;

    @EJB
    SiteStaff staff;

    @EJB
    org.civitas.federation.common.TransactionRunner transactions;

    @Inject
    org.civitas.federation.infrastructure.CivitasSettings settings;

    // ---- the site's staff -------------------------------------------------------------------

    @TransactionAttribute(TransactionAttributeType.NOT_SUPPORTED)
    public RunView start(Caller caller, String siteCode, StartRequest request) {
        staff.requireDataSteward(caller, siteCode);
        return start(caller.username(), siteCode, request);
    }

    /** Starts a run on behalf of the platform (the demo checks its generated data this way). */
    @TransactionAttribute(TransactionAttributeType.NOT_SUPPORTED)
    public RunView startAsSystem(String siteCode, String dataset, String manifest) {
        return start(AuditService.SYSTEM, siteCode, new StartRequest(dataset, manifest, null, null));
    }

    private RunView start(String requestedBy, String siteCode, StartRequest request) {
        if (request == null || request.dataset() == null || request.dataset().isBlank() || request.manifest() == null) {
            throw new InvalidRequestException("send {\"dataset\", \"manifest\", \"thresholds\": {...}, \"shardLines\"}: the dataset's registered"
                    + " name and its manifest's path inside the site's folder");
        }
        Path file = manifestFile(siteCode, request.manifest());
        QualityThresholds thresholds;
        try {
            thresholds = QualityThresholds.defaultsWith(request.thresholds() == null ? Map.of() : request.thresholds());
        } catch (IllegalArgumentException e) {
            throw new InvalidRequestException(e.getMessage());
        }
        int shard = request.shardLines() == null ? 200 : request.shardLines();
        if (shard < 10 || shard > 100_000) {
            throw new InvalidRequestException("shardLines must be in [10, 100000], was " + shard);
        }
        int items;
        try (var lines = Files.lines(file, StandardCharsets.UTF_8)) {
            items = (int) lines.filter(l -> !l.isBlank()).count();
        } catch (IOException | UncheckedIOException e) {
            throw new InvalidRequestException("cannot read manifest '" + request.manifest() + "': " + e.getMessage());
        }
        if (items == 0) {
            throw new InvalidRequestException("manifest '" + request.manifest() + "' has no lines to check");
        }
        QualityRun run = runs.create(siteCode, request.dataset(), request.manifest(), json(thresholds), items, requestedBy);
        Properties params = new Properties();
        params.setProperty("runId", Long.toString(run.getId()));
        params.setProperty("shardLines", Integer.toString(shard));
        long execution = BatchRuntime.getJobOperator().start(JOB, params);
        runs.jobStarted(run.getId(), execution);
        return view(runs.get(run.getId()));
    }

    /** Restarts a failed run's job: finished partitions are kept, the others resume after their last chunk. */
    @TransactionAttribute(TransactionAttributeType.NOT_SUPPORTED)
    public RunView restart(Caller caller, String siteCode, long runId) {
        QualityRun run = run(siteCode, runId);
        staff.requireDataSteward(caller, siteCode);
        if (run.getStatus() != QualityRun.Status.FAILED) {
            throw new InvalidRequestException("quality run " + runId + " is " + run.getStatus() + "; only a failed run is restarted");
        }
        jakarta.batch.runtime.BatchStatus batch = BatchRuntime.getJobOperator().getJobExecution(run.getJobExecutionId()).getBatchStatus();
        if (batch != jakarta.batch.runtime.BatchStatus.FAILED && batch != jakarta.batch.runtime.BatchStatus.STOPPED) {
            throw new ConflictException("the job of quality run " + runId + " is still " + batch + "; restart it once it has ended");
        }
        long execution = BatchRuntime.getJobOperator().restart(run.getJobExecutionId(), new Properties());
        runs.restarted(runId, execution);
        return view(runs.get(runId));
    }

    public RunView view(String siteCode, long runId) {
        return view(run(siteCode, runId));
    }

    public List<RunView> runs(String siteCode) {
        hostedSite(siteCode);
        return quality.runs(siteCode, 50).stream().map(this::view).toList();
    }

    public List<FindingView> findings(Caller caller, String siteCode, long runId) {
        requireStaff(caller, siteCode);
        run(siteCode, runId);
        return quality.findings(runId).stream().map(f -> new FindingView(f.getLine(), f.getItemId(), f.getCheck(), f.getScore(),
                f.getReason(), f.getRelatedId())).toList();
    }

    /** The image of a manifest line, for the thumbnails the site's staff look at. */
    public byte[] itemImage(Caller caller, String siteCode, long runId, int line) {
        requireStaff(caller, siteCode);
        QualityRun run = run(siteCode, runId);
        Path manifest = manifestFile(siteCode, run.getManifest());
        String text;
        try (var lines = Files.lines(manifest, StandardCharsets.UTF_8)) {
            text = lines.skip(Math.max(0, line - 1L)).findFirst().orElseThrow(() -> new NotFoundException("manifest has no line " + line));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Sample sample;
        try {
            sample = ManifestFormat.read(text);
        } catch (IllegalArgumentException e) {
            throw new NotFoundException("line " + line + " has no readable image: " + e.getMessage());
        }
        if (!sample.hasImage()) {
            throw new NotFoundException("line " + line + " has no image");
        }
        Path folder = manifest.getParent().toAbsolutePath().normalize();
        Path image = folder.resolve(sample.image()).normalize();
        if (!image.startsWith(folder) || !Files.isRegularFile(image)) {
            throw new NotFoundException("the image of line " + line + " is not in the dataset folder");
        }
        // A link inside the folder may point anywhere (the site's identity file, say): serve only real files of the site.
        Path real = hostedSites.identity(siteCode).realPathInSite(image);
        if (real == null || !real.startsWith(folder)) {
            throw new NotFoundException("the image of line " + line + " leads out of the dataset folder through a symbolic link");
        }
        image = real;
        try {
            return Files.readAllBytes(image);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** What training reads: the curated manifest of the site's newest completed run over the dataset, or the raw one. */
    @TransactionAttribute(TransactionAttributeType.REQUIRED)
    public Path trainingManifest(SiteIdentity site, String dataset, String rawManifest) {
        Path raw = site.home().resolve(rawManifest);
        return quality.latestCompleted(site.code(), dataset).map(QualityRun::getCuratedManifest).filter(c -> c != null)
                .map(c -> site.home().resolve(c)).filter(Files::isRegularFile).orElse(raw);
    }

    /** The code of the enterprise a hosted site belongs to. */
    @TransactionAttribute(TransactionAttributeType.REQUIRED)
    public String enterpriseOf(String siteCode) {
        return hostedSite(siteCode).getEnterprise().getCode();
    }

    // ---- the job's steps --------------------------------------------------------------------
    // No step holds a transaction while it waits. The chunk transaction of the inspect step holds
    // only the batch repository's checkpoint: on Payara that repository's connection is XA and the
    // Civitas pool's is not, and with both in one chunk transaction commits failed under load
    // ("Cannot commit when autoCommit is enabled"). So the steps run outside it (their reads in short
    // transactions of their own), and the items are written in a transaction of their own that
    // updates the chunk's lines in place: a chunk repeated
    // after a failure between the two commits rewrites the same rows. The texts are embedded in a
    // step of their own, with no transaction, because the one model worker may be training for
    // longer than any chunk transaction may last.

    /** How many texts the embed step sends to the model worker at a time. */
    private static final int EMBED_BATCH = 64;

    @Override
    @TransactionAttribute(TransactionAttributeType.NOT_SUPPORTED)
    public String manifestPath(long runId) {
        QualityRun run = runs.get(runId);
        return manifestFile(run.getSiteCode(), run.getManifest()).toString();
    }

    @Override
    @TransactionAttribute(TransactionAttributeType.NOT_SUPPORTED)
    public int lineCount(long runId) {
        try (var lines = Files.lines(Path.of(manifestPath(runId)), StandardCharsets.UTF_8)) {
            return (int) lines.count();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    @TransactionAttribute(TransactionAttributeType.NOT_SUPPORTED)
    public Object inspect(long runId, int line, String text) {
        if (text.isBlank()) {
            return null;
        }
        Path manifest = Path.of(manifestPath(runId));
        try {
            return new ItemInspector(manifest.getParent(), Set.copyOf(Taxonomy.LABELS), PII, settings.imageMaxPixels()).inspect(line, text);
        } catch (ItemInspector.MalformedLineException e) {
            // The whole manifest is malformed: the run fails with the line, and no report is made.
            runs.problem(runId, "malformed manifest: " + e.getMessage());
            throw e;
        }
    }

    @Override
    @TransactionAttribute(TransactionAttributeType.NOT_SUPPORTED)
    public void store(long runId, List<Object> items) {
        runs.storeItems(runId, items.stream().map(ItemFeatures.class::cast)
                .map(f -> new QualityItem(runId, f.line(), ItemFeaturesCodec.encode(f))).toList());
    }

    @Override
    @TransactionAttribute(TransactionAttributeType.NOT_SUPPORTED)
    public int embed(long runId) {
        Map<Integer, ItemFeatures> pending = new java.util.TreeMap<>();
        for (QualityItem item : runs.items(runId)) {
            ItemFeatures f = ItemFeaturesCodec.decode(item.getFeatures());
            if (f.hasText() && f.schemaProblem() == null && f.textEmbedding() == null) {
                pending.put(f.line(), f);
            }
        }
        if (pending.isEmpty()) {
            return 0;
        }
        List<ItemFeatures> batch = new ArrayList<>();
        List<String> texts = new ArrayList<>();
        try (var lines = Files.lines(Path.of(manifestPath(runId)), StandardCharsets.UTF_8)) {
            int number = 0;
            for (String text : (Iterable<String>) lines::iterator) {
                ItemFeatures f = pending.get(++number);
                if (f == null) {
                    continue;
                }
                batch.add(f);
                texts.add(ManifestFormat.read(text).text());
                if (batch.size() == EMBED_BATCH) {
                    storeEmbedded(runId, batch, texts);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        storeEmbedded(runId, batch, texts);
        return pending.size();
    }

    /** Embeds the texts of a batch of items, stores the items with their embeddings, and empties the batch. */
    private void storeEmbedded(long runId, List<ItemFeatures> batch, List<String> texts) {
        if (batch.isEmpty()) {
            return;
        }
        List<float[]> vectors = embed(texts);
        List<QualityItem> rows = new ArrayList<>();
        for (int i = 0; i < batch.size(); i++) {
            ItemFeatures f = batch.get(i).withTextEmbedding(vectors.get(i));
            rows.add(new QualityItem(runId, f.line(), ItemFeaturesCodec.encode(f)));
        }
        runs.storeItems(runId, rows);
        batch.clear();
        texts.clear();
    }

    private List<float[]> embed(List<String> texts) {
        List<float[]> out = worker.request(new WorkerRequest.Embed(null, texts), (step, steps, loss) -> { }).result().vectors();
        if (out.size() != texts.size()) {
            throw new IllegalStateException("the model worker embedded " + out.size() + " of " + texts.size() + " texts");
        }
        return out;
    }

    /** What the analysis stored, to send and to complete the run with. */
    private record Analysed(String site, String dataset, String requestedBy, String reportJson, String curated,
                            org.civitas.federation.core.quality.QualityReport report) {
    }

    @Override
    @TransactionAttribute(TransactionAttributeType.NOT_SUPPORTED)
    public String analyse(long runId) {
        // Three steps, so that no transaction is open while the report travels to the coordinator
        // (which may be this very server, answering on another thread).
        Analysed a = transactions.once(() -> {
            QualityRun run = quality.find(runId).orElseThrow();
            List<ItemFeatures> items = new ArrayList<>();
            for (QualityItem item : quality.items(runId)) {
                items.add(ItemFeaturesCodec.decode(item.getFeatures()));
            }
            if (items.size() != run.getTotalItems()) {
                throw new IllegalStateException("quality run " + runId + " measured " + items.size() + " of " + run.getTotalItems() + " items");
            }
            QualityThresholds thresholds = fromJson(run.getThresholdsJson(), QualityThresholds.class);
            QualityAnalysis.Outcome outcome = QualityAnalysis.analyse(items, thresholds);
            quality.deleteFindings(runId);
            for (Finding f : outcome.findings()) {
                quality.addFinding(new QualityFinding(runId, f.line(), f.id(), f.check().key(), f.score(), f.reason(), f.relatedId()));
            }
            return new Analysed(run.getSiteCode(), run.getDatasetName(), run.getRequestedBy(), json(outcome.report()),
                    writeCurated(run, outcome), outcome.report());
        });
        String sent;
        try {
            coordinator.sendQualityReport(hostedSites.identity(a.site()), a.dataset(), a.reportJson());
            sent = "report sent to the coordinator";
        } catch (RuntimeException e) {
            // The findings and the curated manifest are the site's own; the coordinator may learn the aggregates later.
            sent = "report kept at the site: " + e.getMessage();
        }
        String summary = String.format(Locale.ROOT, "%d items: %d left out, %d redacted, %d curated; %s", a.report().items(),
                a.report().flaggedItems(), a.report().redactedItems(), a.report().curatedItems(), sent);
        transactions.once(() -> {
            quality.find(runId).orElseThrow().completed(a.reportJson(), a.curated(), clock.instant());
            audit.record(a.requestedBy(), "dataset.quality.completed", "site " + a.site() + " dataset " + a.dataset(), summary);
            return null;
        });
        return summary;
    }

    /** The manifest without the excluded lines and with personal data redacted, beside the original so image paths still resolve. */
    private String writeCurated(QualityRun run, QualityAnalysis.Outcome outcome) {
        Path manifest = manifestFile(run.getSiteCode(), run.getManifest());
        String name = manifest.getFileName().toString();
        String stem = name.endsWith(".jsonl") ? name.substring(0, name.length() - 6) : name;
        Path curated = manifest.resolveSibling(stem + ".curated-" + run.getId() + ".jsonl");
        Set<Integer> excluded = outcome.excludedLines();
        Set<Integer> redacted = new HashSet<>(outcome.redactedLines());
        try {
            List<String> lines = Files.readAllLines(manifest, StandardCharsets.UTF_8);
            List<String> out = new ArrayList<>();
            for (int i = 0; i < lines.size(); i++) {
                int number = i + 1;
                String line = lines.get(i);
                if (line.isBlank() || excluded.contains(number)) {
                    continue;
                }
                if (redacted.contains(number)) {
                    Sample s = ManifestFormat.read(line);
                    line = ManifestFormat.write(new Sample(s.id(), s.image(), PII.redact(s.text()), s.label(), s.scenario(), s.meta()));
                }
                out.add(line);
            }
            Path tmp = curated.resolveSibling(curated.getFileName() + ".tmp");
            Files.write(tmp, out, StandardCharsets.UTF_8);
            Files.move(tmp, curated, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the curated manifest " + curated, e);
        }
        // The manifest was resolved to its real path, so the curated file is related to the site's real folder.
        Path home = hostedSites.identity(run.getSiteCode()).home();
        try {
            return home.toRealPath().relativize(curated.toRealPath()).toString();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot resolve the curated manifest " + curated, e);
        }
    }

    @Override
    @TransactionAttribute(TransactionAttributeType.NOT_SUPPORTED)
    public void jobEnded(long runId, String batchStatus) {
        if (!"COMPLETED".equals(batchStatus)) {
            runs.failed(runId, "the data-quality job ended " + batchStatus);
        }
    }

    // ---- helpers ---------------------------------------------------------------------------

    private Site hostedSite(String siteCode) {
        return staff.hosted(siteCode);
    }

    private void requireStaff(Caller caller, String siteCode) {
        staff.requireStaff(caller, siteCode);
    }

    private QualityRun run(String siteCode, long runId) {
        hostedSite(siteCode);
        return quality.find(runId).filter(r -> r.getSiteCode().equals(siteCode))
                .orElseThrow(() -> new NotFoundException("site '" + siteCode + "' has no quality run " + runId));
    }

    private Path manifestFile(String siteCode, String manifest) {
        Path file = hostedSites.identity(siteCode).manifestInSite(manifest);
        if (!Files.isRegularFile(file)) {
            throw new InvalidRequestException("manifest '" + manifest + "' does not exist in the site's folder");
        }
        return file;
    }

    private RunView view(QualityRun r) {
        long done = r.getStatus() == QualityRun.Status.COMPLETED ? r.getTotalItems() : quality.itemCount(r.getId());
        return new RunView(r.getId(), r.getSiteCode(), r.getDatasetName(), r.getManifest(), r.getStatus().name(), r.getTotalItems(), done,
                r.getReportJson() == null ? null : jakarta.json.Json.createReader(new java.io.StringReader(r.getReportJson())).readObject(),
                r.getCuratedManifest(), r.getMessage(), r.getRequestedBy(), r.getStartedAt(), r.getFinishedAt());
    }

    private static String json(Object value) {
        try (Jsonb jsonb = JsonbBuilder.create()) {
            return jsonb.toJson(value);
        } catch (Exception e) {
            throw new IllegalStateException("cannot write JSON", e);
        }
    }

    private static <T> T fromJson(String json, Class<T> type) {
        try (Jsonb jsonb = JsonbBuilder.create()) {
            return jsonb.fromJson(json, type);
        } catch (Exception e) {
            throw new IllegalStateException("cannot read " + type.getSimpleName() + " from " + json, e);
        }
    }
}
