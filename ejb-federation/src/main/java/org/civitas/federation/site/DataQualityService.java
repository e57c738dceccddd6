package org.civitas.federation.site;

import jakarta.batch.runtime.BatchRuntime;
import jakarta.ejb.EJB;
import jakarta.ejb.Stateless;
import jakarta.ejb.TransactionAttribute;
import jakarta.ejb.TransactionAttributeType;
import jakarta.inject.Inject;
import org.civitas.domain.consortium.Site;
import org.civitas.domain.quality.QualityRun;
import org.civitas.federation.common.AuditService;
import org.civitas.federation.common.Caller;
import org.civitas.federation.common.ConflictException;
import org.civitas.federation.common.InvalidRequestException;
import org.civitas.federation.common.NotFoundException;
import org.civitas.federation.core.dataset.ManifestFormat;
import org.civitas.federation.core.dataset.Sample;
import org.civitas.federation.core.quality.QualityThresholds;
import org.civitas.infrastructure.persistence.QualityRepository;

import org.civitas.federation.protocol.TaskDefinitionMessage;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Properties;

/**
 * Data quality at a site: starts the {@code data-quality} job over one of the site's manifests
 * ({@link DataQualityJobSteps} serves its steps), and shows the run's progress, report, findings and flagged images to the
 * site's own staff. Findings and the curated manifest stay at the site; only the aggregate report
 * goes to the coordinator.
 */
@Stateless
public class DataQualityService {

    public static final String JOB = "data-quality";

    /**
     * A run as the API and portal show it: progress while it runs, the aggregate report (JSON) once
     * done; {@code erasedAt}: when retention erased its findings and curated manifest (the report stays).
     */
    public record RunView(long id, String site, String dataset, String manifest, String status, int totalItems, long itemsDone,
                          jakarta.json.JsonObject report, String curatedManifest, String message, String requestedBy, Instant startedAt,
                          Instant finishedAt, Instant erasedAt) {
    }

    /** One flagged item, for the site's own staff; {@code hasImage}: its image was readable, so a thumbnail can be shown. */
    public record FindingView(int line, String itemId, String check, double score, String reason, String relatedId, boolean hasImage) {
    }

    @EJB
    QualityRuns runs;

    @Inject
    QualityRepository quality;

    @Inject
    HostedSites hostedSites;

    @Inject
    CoordinatorClient coordinator;

    @EJB
    SiteStaff staff;

    // ---- the site's staff -------------------------------------------------------------------

    /**
     * Checks a dataset: its registered name, its manifest inside the site's folder, threshold
     * changes (null: the defaults) and the lines per partition (null: 200).
     */
    @TransactionAttribute(TransactionAttributeType.NOT_SUPPORTED)
    public RunView start(Caller caller, String siteCode, String dataset, String manifest, Map<String, Double> thresholds,
                         Integer shardLines, String task, Integer taskVersion) {
        staff.requireDataSteward(caller, siteCode);
        return start(caller.username(), siteCode, dataset, manifest, thresholds, shardLines, task, taskVersion);
    }

    /** Starts a run on behalf of the platform (the demo checks its generated data this way). */
    @TransactionAttribute(TransactionAttributeType.NOT_SUPPORTED)
    public RunView startAsSystem(String siteCode, String dataset, String manifest) {
        return start(AuditService.SYSTEM, siteCode, dataset, manifest, null, null, null, null);
    }

    private RunView start(String requestedBy, String siteCode, String dataset, String manifest, Map<String, Double> changes,
                          Integer shardLines, String task, Integer taskVersion) {
        Path file = hostedSites.existingManifest(siteCode, manifest);
        QualityThresholds thresholds;
        try {
            thresholds = QualityThresholds.defaultsWith(changes == null ? Map.of() : changes);
        } catch (IllegalArgumentException e) {
            throw new InvalidRequestException(e.getMessage());
        }
        int shard = shardLines == null ? 200 : shardLines;
        int items;
        try (var lines = Files.lines(file, StandardCharsets.UTF_8)) {
            items = (int) lines.filter(l -> !l.isBlank()).count();
        } catch (IOException | UncheckedIOException e) {
            throw new InvalidRequestException("cannot read manifest '" + manifest + "': " + e.getMessage());
        }
        if (items == 0) {
            throw new InvalidRequestException("manifest '" + manifest + "' has no lines to check");
        }
        TaskDefinitionMessage definition = taskOf(siteCode, dataset, task, taskVersion);
        QualityRun run = runs.create(siteCode, dataset, manifest, QualityJson.write(thresholds), items, requestedBy,
                definition.labels(), definition.modalities());
        Properties params = new Properties();
        params.setProperty("runId", Long.toString(run.getId()));
        params.setProperty("shardLines", Integer.toString(shard));
        long execution = BatchRuntime.getJobOperator().start(JOB, params);
        runs.jobStarted(run.getId(), execution);
        return view(runs.get(run.getId()));
    }

    /**
     * The task whose labels the run checks the items against: the one named, or else the one the
     * site registered the dataset for. A dataset checked before its import names its task.
     */
    private TaskDefinitionMessage taskOf(String siteCode, String dataset, String task, Integer taskVersion) {
        SiteIdentity site = hostedSites.identity(siteCode);
        try {
            return task != null ? coordinator.taskDefinition(site, task, taskVersion) : coordinator.datasetTask(site, dataset);
        } catch (CoordinatorClient.ProtocolException e) {
            if (task != null) {
                throw new InvalidRequestException("task: the coordinator has no task '" + task + "'"
                        + (taskVersion == null ? "" : " version " + taskVersion) + " (" + e.getMessage() + ")");
            }
            throw new InvalidRequestException("task: dataset '" + dataset + "' of site " + siteCode + " is not registered for a task ("
                    + e.getMessage() + "); name the task its labels come from");
        }
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
        java.util.Set<Integer> withImage = new java.util.HashSet<>();
        for (org.civitas.domain.quality.QualityItem item : quality.items(runId)) {
            if (org.civitas.federation.core.quality.ItemFeaturesCodec.decode(item.getFeatures()).image() != null) {
                withImage.add(item.getLine());
            }
        }
        return quality.findings(runId).stream().map(f -> new FindingView(f.getLine(), f.getItemId(), f.getCheck(), f.getScore(),
                f.getReason(), f.getRelatedId(), withImage.contains(f.getLine()))).toList();
    }

    /** Whether the caller may see a site's flagged items and their images: the staff of the site's enterprise. */
    public boolean mayInspectItems(Caller caller, String siteCode) {
        return staff.isStaff(caller, siteCode);
    }

    /** An item's image and its media type (PNG or JPEG, the formats the manifests hold). */
    public record ItemImage(byte[] bytes, String contentType) {
    }

    /** The image of a manifest line, for the thumbnails the site's staff look at. */
    public ItemImage itemImage(Caller caller, String siteCode, long runId, int line) {
        requireStaff(caller, siteCode);
        QualityRun run = run(siteCode, runId);
        Path manifest = hostedSites.existingManifest(siteCode, run.getManifest());
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
            byte[] bytes = Files.readAllBytes(image);
            boolean png = bytes.length > 3 && (bytes[0] & 0xff) == 0x89 && bytes[1] == 'P';
            return new ItemImage(bytes, png ? "image/png" : "image/jpeg");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** What training reads: the curated manifest of the site's newest completed run over the dataset, or the raw one. */
    @TransactionAttribute(TransactionAttributeType.REQUIRED)
    public Path trainingManifest(SiteIdentity site, String dataset, String rawManifest) {
        Path raw = site.home().resolve(rawManifest);
        // A quality run on another version of the dataset (another manifest) curated other data.
        return quality.latestCompleted(site.code(), dataset)
                .filter(r -> Path.of(rawManifest).normalize().equals(Path.of(r.getManifest()).normalize()))
                .map(QualityRun::getCuratedManifest).filter(c -> c != null)
                .map(c -> site.home().resolve(c)).filter(Files::isRegularFile).orElse(raw);
    }

    /** The code of the enterprise a hosted site belongs to. */
    @TransactionAttribute(TransactionAttributeType.REQUIRED)
    public String enterpriseOf(String siteCode) {
        return hostedSite(siteCode).getEnterprise().getCode();
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

    private RunView view(QualityRun r) {
        long done = r.getStatus() == QualityRun.Status.COMPLETED ? r.getTotalItems() : quality.itemCount(r.getId());
        return new RunView(r.getId(), r.getSiteCode(), r.getDatasetName(), r.getManifest(), r.getStatus().name(), r.getTotalItems(), done,
                r.getReportJson() == null ? null : jakarta.json.Json.createReader(new java.io.StringReader(r.getReportJson())).readObject(),
                r.getCuratedManifest(), r.getMessage(), r.getRequestedBy(), r.getStartedAt(), r.getFinishedAt(), r.getErasedAt());
    }
}
