package org.civitas.federation.site;

import jakarta.ejb.Stateless;
import jakarta.ejb.TransactionAttribute;
import jakarta.ejb.TransactionAttributeType;
import jakarta.inject.Inject;
import org.civitas.domain.participant.LocalTrainingRun;
import org.civitas.infrastructure.persistence.LocalTrainingRunRepository;

import java.time.Instant;
import java.util.Optional;
import java.time.Clock;

/** A site's records of its training runs, each change in its own transaction. */
@Stateless
@TransactionAttribute(TransactionAttributeType.REQUIRES_NEW)
public class TrainingRuns {

    @Inject
    Clock clock;

    @Inject
    LocalTrainingRunRepository runs;

    /** A new run for the task, or empty when the site already has one for it. */
    public Optional<Long> begin(String siteCode, long federationId, int round) {
        if (runs.find(siteCode, federationId, round).isPresent()) {
            return Optional.empty();
        }
        return Optional.of(runs.add(new LocalTrainingRun(siteCode, federationId, round, clock.instant())).getId());
    }

    public LocalTrainingRun get(long runId) {
        return runs.find(runId).orElseThrow(() -> new IllegalArgumentException("no local training run " + runId));
    }

    /**
     * The run locked for this change. The worker's progress and a window's pause change one run from
     * two threads; unlocked, a progress line read before the pause and written after it would put the
     * run back to started (every column is written), and the stopped step would then count as failed.
     */
    private LocalTrainingRun locked(long runId) {
        return runs.findForUpdate(runId).orElseThrow(() -> new IllegalArgumentException("no local training run " + runId));
    }

    /** Attempts a site makes at one round task before it leaves the round to its deadline. */
    public static final int MAX_ATTEMPTS = 3;

    /** The run's last job execution, when the run failed and may be tried again. */
    public Optional<Long> retryableExecution(String siteCode, long federationId, int round) {
        return runs.find(siteCode, federationId, round).filter(r -> r.canRetry(MAX_ATTEMPTS)).map(LocalTrainingRun::getJobExecutionId);
    }

    /** No more attempts for this task; the round's deadline decides without this site. */
    public void giveUp(String siteCode, long federationId, int round, String reason) {
        runs.find(siteCode, federationId, round).orElseThrow().giveUp(reason, MAX_ATTEMPTS);
    }

    public void retried(String siteCode, long federationId, int round, long executionId) {
        runs.find(siteCode, federationId, round).orElseThrow().retried(executionId, clock.instant());
    }

    /** The site's runs still training or uploading. */
    public java.util.List<LocalTrainingRun> running(String siteCode) {
        return runs.ofSite(siteCode, LocalTrainingRun.Status.STARTED);
    }

    /** The site's runs paused at a window's end. */
    public java.util.List<LocalTrainingRun> paused(String siteCode) {
        return runs.ofSite(siteCode, LocalTrainingRun.Status.PAUSED);
    }

    public void pause(long runId, Instant resumesAt) {
        locked(runId).pausedAtWindowEnd(resumesAt);
    }

    public void resume(long runId, long executionId) {
        locked(runId).resumed(executionId);
    }

    public void jobStarted(long runId, long executionId) {
        locked(runId).jobStarted(executionId);
    }

    public void progress(long runId, String text) {
        locked(runId).progress(text);
    }

    /** The manifest (and its SHA-256) the site's first trained round of the federation read, if one has. */
    public Optional<LocalTrainingRun> pinnedManifest(String siteCode, long federationId) {
        return runs.firstWithManifest(siteCode, federationId);
    }

    public void trainsOn(long runId, String manifest, String sha256) {
        locked(runId).trainsOn(manifest, sha256);
    }

    public void trained(long runId, String summary) {
        locked(runId).trained(summary);
    }

    public void uploaded(long runId, String summary) {
        locked(runId).uploaded(summary, clock.instant());
    }

    public void failed(long runId, String reason) {
        locked(runId).failed(reason, clock.instant());
    }

    /** A training run as the portal shows it, with the manifest it trained on (the same in every round of a federation). */
    public record RunView(String site, long federationId, int round, String status, Long jobExecutionId, int attempts,
                          String message, Instant startedAt, Instant finishedAt, int windowPauses, String trainingManifest,
                          String manifestSha256) {
    }

    @TransactionAttribute(TransactionAttributeType.REQUIRED)
    public java.util.List<RunView> recent(int max) {
        return runs.recent(max).stream().map(r -> new RunView(r.getSiteCode(), r.getFederationId(), r.getRoundNumber(),
                r.getStatus().name(), r.getJobExecutionId(), r.getAttempts(), r.getMessage(), r.getStartedAt(), r.getFinishedAt(),
                r.getWindowPauses(), r.getTrainingManifest(), r.getManifestSha256())).toList();
    }
}
