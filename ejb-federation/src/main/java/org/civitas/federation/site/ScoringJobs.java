package org.civitas.federation.site;

import jakarta.batch.operations.JobOperator;
import jakarta.batch.runtime.BatchRuntime;
import jakarta.batch.runtime.BatchStatus;
import jakarta.ejb.EJB;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.civitas.domain.scoring.ScoringRun;
import org.civitas.federation.core.schedule.TrainingCalendar;

import java.time.Clock;
import java.time.Instant;
import java.util.Properties;
import java.util.logging.Logger;

/**
 * A site's {@code batch-scoring} jobs through the batch runtime, inside the site's windows like its
 * training (scoring uses the same model worker and the same machine): a run asked for outside a
 * window waits for the next, a running one is stopped after its chunks in flight when the window
 * closes, and both start or resume from their checkpoints when it opens.
 */
@ApplicationScoped
public class ScoringJobs {

    private static final Logger LOG = Logger.getLogger(ScoringJobs.class.getName());
    public static final String JOB = "batch-scoring";

    @EJB
    ScoringRuns runs;

    @EJB
    TrainingWindowService windows;

    @Inject
    Clock clock;

    private static JobOperator jobs() {
        return BatchRuntime.getJobOperator();
    }

    /** Runs the run's job now if the site's window is open, else leaves it waiting for the next window. */
    void startOrWait(String siteCode, long runId) {
        TrainingCalendar calendar = windows.calendar(siteCode);
        Instant now = clock.instant();
        if (calendar.isOpen(now)) {
            launch(runs.get(runId));
        } else {
            runs.waiting(runId, "waits for the site's window, which opens " + calendar.nextOpening(now).map(Instant::toString).orElse("never"));
        }
    }

    /** Stops the site's running scoring jobs: each partition ends after its current chunk, the checkpoints kept. */
    void pause(SiteIdentity site, Instant resumesAt) {
        JobOperator jobs = jobs();
        for (ScoringRun run : runs.inState(site.code(), ScoringRun.Status.STARTED)) {
            Long execution = run.getJobExecutionId();
            BatchStatus status = execution == null ? null : jobs.getJobExecution(execution).getBatchStatus();
            if (status == BatchStatus.STARTED || status == BatchStatus.STARTING) {
                runs.paused(run.getId(), "the site's window closed; resumes " + (resumesAt == null ? "when one opens" : resumesAt));
                jobs.stop(execution);
                LOG.info(() -> "Site " + site.code() + ": window closed; paused scoring run " + run.getId());
            }
        }
    }

    /** Starts the site's waiting runs and restarts its paused ones once their jobs have stopped. */
    void resume(SiteIdentity site) {
        for (ScoringRun.Status state : new ScoringRun.Status[] {ScoringRun.Status.PAUSED, ScoringRun.Status.WAITING}) {
            for (ScoringRun run : runs.inState(site.code(), state)) {
                Long execution = run.getJobExecutionId();
                BatchStatus status = execution == null ? null : jobs().getJobExecution(execution).getBatchStatus();
                if (execution == null || status == BatchStatus.STOPPED || status == BatchStatus.FAILED) {
                    launch(run);
                    LOG.info(() -> "Site " + site.code() + ": window open; scoring run " + run.getId() + " runs");
                }
            }
        }
    }

    /** A new job for a run that never ran, else a restart of its stopped or failed one from its checkpoints. */
    private void launch(ScoringRun run) {
        runs.running(run.getId());
        long execution;
        try {
            if (run.getJobExecutionId() == null) {
                Properties params = new Properties();
                params.setProperty("runId", Long.toString(run.getId()));
                execution = jobs().start(JOB, params);
            } else {
                execution = jobs().restart(run.getJobExecutionId(), new Properties());
            }
        } catch (RuntimeException e) {
            runs.failed(run.getId(), "the batch runtime cannot run " + JOB + ": " + e.getMessage());
            throw e;
        }
        runs.executionIs(run.getId(), execution);
    }
}
