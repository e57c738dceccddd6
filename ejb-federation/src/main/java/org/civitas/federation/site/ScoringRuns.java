package org.civitas.federation.site;

import jakarta.ejb.EJB;
import jakarta.ejb.Stateless;
import jakarta.ejb.TransactionAttribute;
import jakarta.ejb.TransactionAttributeType;
import jakarta.inject.Inject;
import org.civitas.domain.scoring.ScoringRun;
import org.civitas.federation.common.AuditService;
import org.civitas.infrastructure.persistence.ScoringRepository;

import java.time.Clock;
import java.util.List;

/** A site's records of its scoring runs, each change in its own transaction (they outlive a failing chunk). */
@Stateless
@TransactionAttribute(TransactionAttributeType.REQUIRES_NEW)
public class ScoringRuns {

    @Inject
    Clock clock;

    @Inject
    ScoringRepository scoring;

    @EJB
    AuditService audit;

    public ScoringRun create(ScoringRun run) {
        ScoringRun created = scoring.add(run);
        audit.record(run.getRequestedBy(), "model.scoring.requested", "site " + run.getSiteCode() + " manifest " + run.getManifest(),
                run.getTotalLines() + " lines with federation " + run.getFederationId() + " version " + run.getModelVersion()
                        + " (" + run.getModelSha256() + "), run " + created.getId());
        return created;
    }

    /** A read, in the caller's transaction if it has one and in one of its own otherwise. */
    @TransactionAttribute(TransactionAttributeType.REQUIRED)
    public ScoringRun get(long runId) {
        return scoring.find(runId).orElseThrow(() -> new IllegalArgumentException("no scoring run " + runId));
    }

    @TransactionAttribute(TransactionAttributeType.REQUIRED)
    public List<ScoringRun> inState(String siteCode, ScoringRun.Status status) {
        return scoring.runs(siteCode, status);
    }

    public void running(long runId) {
        get(runId).running();
    }

    public void executionIs(long runId, long executionId) {
        get(runId).executionIs(executionId);
    }

    public void waiting(long runId, String reason) {
        get(runId).waiting(reason);
    }

    public void paused(long runId, String reason) {
        get(runId).paused(reason);
    }

    public void progress(long runId, int partition, int lines) {
        scoring.linesDone(runId, partition, lines);
    }

    /** Records a problem while the job still runs; the run fails when the job ends. */
    public void problem(long runId, String reason) {
        get(runId).problem(reason);
    }

    /** The job ended without completing and without being paused; the first problem recorded is the reason shown. */
    public void failed(long runId, String reason) {
        ScoringRun run = get(runId);
        if (run.getStatus() == ScoringRun.Status.STARTED) {
            run.failed(reason, clock.instant());
            audit.record(run.getRequestedBy(), "model.scoring.failed", "site " + run.getSiteCode() + " manifest " + run.getManifest(),
                    "run " + runId + ": " + run.getMessage());
        }
    }

    public void completed(long runId, String output, String summaryJson, String summary) {
        ScoringRun run = get(runId);
        run.completed(output, summaryJson, clock.instant());
        audit.record(run.getRequestedBy(), "model.scoring.completed", "site " + run.getSiteCode() + " manifest " + run.getManifest(),
                "run " + runId + ": " + summary);
    }
}
