package org.civitas.federation.site;

import jakarta.batch.operations.JobOperator;
import jakarta.batch.runtime.BatchRuntime;
import jakarta.batch.runtime.BatchStatus;
import jakarta.ejb.EJB;
import jakarta.enterprise.context.ApplicationScoped;
import org.civitas.domain.participant.LocalTrainingRun;
import org.civitas.federation.protocol.RoundTask;

import java.time.Instant;
import java.util.Properties;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * A site's {@code local-finetune} jobs through the batch runtime: one started per new round task,
 * a failed one restarted while attempts remain, and the training ones stopped when the site's
 * window closes and restarted from their checkpoint when it opens.
 */
@ApplicationScoped
public class LocalTrainingJobs {

    private static final Logger LOG = Logger.getLogger(LocalTrainingJobs.class.getName());
    public static final String JOB = "local-finetune";

    @EJB
    TrainingRuns runs;

    private static JobOperator jobs() {
        return BatchRuntime.getJobOperator();
    }

    /** Stops the site's jobs that are in their train step; the worker saves the step it reached for the restart. */
    void pauseTraining(SiteIdentity site, Instant resumesAt) {
        JobOperator jobs = jobs();
        for (LocalTrainingRun run : runs.running(site.code())) {
            Long execution = run.getJobExecutionId();
            if (execution == null) {
                continue;
            }
            BatchStatus status = jobs.getJobExecution(execution).getBatchStatus();
            boolean training = jobs.getStepExecutions(execution).stream()
                    .anyMatch(st -> "train".equals(st.getStepName()) && st.getBatchStatus() == BatchStatus.STARTED);
            if ((status == BatchStatus.STARTED || status == BatchStatus.STARTING) && training) {
                runs.pause(run.getId(), resumesAt);
                jobs.stop(execution);
                LOG.info(() -> "Site " + site.code() + ": training window closed; paused run " + run.getId() + " (execution "
                        + execution + "), resumes at " + resumesAt);
            }
        }
    }

    /** Restarts the site's paused jobs once they have stopped: the train step resumes from its checkpoint. */
    void resumePaused(SiteIdentity site) {
        JobOperator jobs = jobs();
        for (LocalTrainingRun run : runs.paused(site.code())) {
            BatchStatus status = jobs.getJobExecution(run.getJobExecutionId()).getBatchStatus();
            if (status == BatchStatus.STOPPED || status == BatchStatus.FAILED) {
                long execution = jobs.restart(run.getJobExecutionId(), new Properties());
                runs.resume(run.getId(), execution);
                LOG.info(() -> "Site " + site.code() + ": training window open; resumed run " + run.getId() + " as execution " + execution);
            }
        }
    }

    /** Restarts the task's failed job (from its failed step) while attempts remain, and starts a job for a new task. */
    void serve(SiteIdentity site, RoundTask task) {
        JobOperator jobs = jobs();
        runs.retryableExecution(site.code(), task.federationId(), task.round()).ifPresent(failed -> {
            BatchStatus status = jobs.getJobExecution(failed).getBatchStatus();
            if (status == BatchStatus.STARTED || status == BatchStatus.STARTING || status == BatchStatus.STOPPING) {
                // The step failed, but the job has not finished failing yet: restart it on a later poll.
                return;
            }
            try {
                long execution = jobs.restart(failed, new Properties());
                runs.retried(site.code(), task.federationId(), task.round(), execution);
                LOG.info(() -> "Site " + site.code() + " restarted " + JOB + " for federation " + task.federationId()
                        + " round " + task.round() + " as execution " + execution);
            } catch (RuntimeException e) {
                runs.giveUp(site.code(), task.federationId(), task.round(), "cannot restart job execution " + failed + ": " + e);
                LOG.log(Level.WARNING, "Site " + site.code() + " cannot restart job execution " + failed, e);
            }
        });
        runs.begin(site.code(), task.federationId(), task.round()).ifPresent(runId -> {
            Properties params = new Properties();
            params.setProperty("runId", Long.toString(runId));
            long execution = jobs.start(JOB, params);
            runs.jobStarted(runId, execution);
            LOG.fine(() -> "Site " + site.code() + " started " + JOB + " execution " + execution + " for federation "
                    + task.federationId() + " round " + task.round());
        });
    }
}
