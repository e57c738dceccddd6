package org.civitas.federation.site;

import jakarta.batch.runtime.BatchRuntime;
import jakarta.batch.runtime.BatchStatus;
import jakarta.ejb.EJB;
import jakarta.ejb.Stateless;
import jakarta.ejb.TransactionAttribute;
import jakarta.ejb.TransactionAttributeType;
import jakarta.inject.Inject;
import jakarta.json.Json;
import jakarta.json.JsonObject;
import org.civitas.domain.scoring.ScoringRun;
import org.civitas.federation.common.Caller;
import org.civitas.federation.common.ConflictException;
import org.civitas.federation.common.InvalidRequestException;
import org.civitas.federation.common.NotFoundException;
import org.civitas.federation.protocol.ReleasedModel;
import org.civitas.infrastructure.persistence.ScoringRepository;

import java.io.IOException;
import java.io.StringReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.regex.Pattern;

/**
 * Batch scoring at a site: its staff score one of the site's manifests with a released model
 * version in the {@code batch-scoring} job ({@link BatchScoringJobSteps} serves its steps, {@link
 * ScoringJobs} keeps it inside the site's windows), and follow its progress and summary. The
 * predictions stay at the site, beside the manifest.
 */
@Stateless
public class BatchScoringService {

    /** Lines a partition scores when the request does not say. */
    public static final int DEFAULT_SHARD_LINES = 500;
    public static final int MIN_SHARD_LINES = 10;
    public static final int MAX_SHARD_LINES = 100_000;
    private static final Pattern SHA256 = Pattern.compile("[0-9a-f]{64}");

    /** The version to score with (its model's sha256), the manifest's path inside the site's folder, and the lines per partition. */
    public record Request(String version, String manifest, Integer shardLines) {
    }

    /** A run as the API and portal show it: progress while it runs, where the predictions lie and their summary once done. */
    public record RunView(long id, String site, String manifest, String version, long federation, int modelVersion, String status,
                          int totalLines, long linesDone, String output, JsonObject summary, String message, String requestedBy,
                          Instant startedAt, Instant finishedAt) {
    }

    @EJB
    ScoringRuns runs;

    @Inject
    ScoringRepository scoring;

    @Inject
    ScoringJobs jobs;

    @Inject
    HostedSites hostedSites;

    @Inject
    ReleasedModels releasedModels;

    @EJB
    SiteStaff staff;

    @Inject
    Clock clock;

    /**
     * @throws InvalidRequestException naming the field that is wrong
     * @throws NotFoundException       when the version is not released now
     */
    @TransactionAttribute(TransactionAttributeType.NOT_SUPPORTED)
    public RunView start(Caller caller, String siteCode, Request request) {
        staff.requireModelUser(caller, siteCode);
        if (request == null || request.version() == null || !SHA256.matcher(request.version()).matches()) {
            throw new InvalidRequestException("version: the sha256 of a released model version (64 lowercase hex digits) is required");
        }
        if (request.manifest() == null || request.manifest().isBlank()) {
            throw new InvalidRequestException("manifest: give the manifest's path inside the site's folder");
        }
        int shard = request.shardLines() == null ? DEFAULT_SHARD_LINES : request.shardLines();
        if (shard < MIN_SHARD_LINES || shard > MAX_SHARD_LINES) {
            throw new InvalidRequestException("shardLines: must be in [" + MIN_SHARD_LINES + ", " + MAX_SHARD_LINES + "], was " + shard);
        }
        SiteIdentity site = hostedSites.identity(siteCode);
        ReleasedModel version = releasedModels.find(site, request.version())
                .orElseThrow(() -> new NotFoundException("version " + request.version() + " is not a released model version"));
        Path file = hostedSites.existingManifest(siteCode, request.manifest());
        int lines;
        try (var all = Files.lines(file, StandardCharsets.UTF_8)) {
            lines = (int) all.filter(l -> !l.isBlank()).count();
        } catch (IOException | UncheckedIOException e) {
            throw new InvalidRequestException("manifest: cannot read '" + request.manifest() + "': " + e.getMessage());
        }
        if (lines == 0) {
            throw new InvalidRequestException("manifest: '" + request.manifest() + "' has no lines to score");
        }
        ScoringRun run = runs.create(new ScoringRun(siteCode, Path.of(request.manifest()).normalize().toString(), version.modelSha256(),
                version.manifestSha256(), version.federationId(), version.version(), lines, shard, caller.username(), clock.instant()));
        jobs.startOrWait(siteCode, run.getId());
        return view(runs.get(run.getId()));
    }

    /** Restarts a failed run's job: finished partitions are kept, the others resume after their last chunk. */
    @TransactionAttribute(TransactionAttributeType.NOT_SUPPORTED)
    public RunView restart(Caller caller, String siteCode, long runId) {
        staff.requireModelUser(caller, siteCode);
        ScoringRun run = run(siteCode, runId);
        if (run.getStatus() != ScoringRun.Status.FAILED) {
            throw new InvalidRequestException("scoring run " + runId + " is " + run.getStatus() + "; only a failed run is restarted");
        }
        if (run.getJobExecutionId() != null) {
            BatchStatus batch = BatchRuntime.getJobOperator().getJobExecution(run.getJobExecutionId()).getBatchStatus();
            if (batch != BatchStatus.FAILED && batch != BatchStatus.STOPPED) {
                throw new ConflictException("the job of scoring run " + runId + " is still " + batch + "; restart it once it has ended");
            }
        }
        jobs.startOrWait(siteCode, runId);
        return view(runs.get(runId));
    }

    public RunView view(Caller caller, String siteCode, long runId) {
        staff.requireModelUser(caller, siteCode);
        return view(run(siteCode, runId));
    }

    /** The site's newest runs, newest first. */
    public List<RunView> runs(Caller caller, String siteCode) {
        staff.requireModelUser(caller, siteCode);
        return scoring.runs(siteCode, 50).stream().map(this::view).toList();
    }

    /** Whether the caller may score with the site's released versions and see its runs. */
    public boolean mayScore(Caller caller, String siteCode) {
        return staff.isStaff(caller, siteCode);
    }

    private ScoringRun run(String siteCode, long runId) {
        staff.hosted(siteCode);
        return scoring.find(runId).filter(r -> r.getSiteCode().equals(siteCode))
                .orElseThrow(() -> new NotFoundException("site '" + siteCode + "' has no scoring run " + runId));
    }

    private RunView view(ScoringRun r) {
        long done = r.getStatus() == ScoringRun.Status.COMPLETED ? r.getTotalLines() : scoring.linesDone(r.getId());
        return new RunView(r.getId(), r.getSiteCode(), r.getManifest(), r.getModelSha256(), r.getFederationId(), r.getModelVersion(),
                r.getStatus().name(), r.getTotalLines(), done, r.getOutput(),
                r.getSummaryJson() == null ? null : Json.createReader(new StringReader(r.getSummaryJson())).readObject(), r.getMessage(),
                r.getRequestedBy(), r.getStartedAt(), r.getFinishedAt());
    }
}
