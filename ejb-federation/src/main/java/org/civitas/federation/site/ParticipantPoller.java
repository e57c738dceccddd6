package org.civitas.federation.site;


import jakarta.batch.operations.JobOperator;
import jakarta.batch.runtime.BatchRuntime;
import jakarta.annotation.PostConstruct;
import jakarta.annotation.PreDestroy;
import jakarta.annotation.Resource;
import jakarta.enterprise.concurrent.ManagedScheduledExecutorService;
import jakarta.ejb.ConcurrencyManagement;
import jakarta.ejb.ConcurrencyManagementType;
import jakarta.ejb.DependsOn;
import jakarta.ejb.EJB;
import jakarta.ejb.SessionContext;
import jakarta.ejb.Singleton;
import jakarta.ejb.Startup;
import jakarta.ejb.TransactionAttribute;
import jakarta.ejb.TransactionAttributeType;
import jakarta.inject.Inject;
import org.civitas.federation.infrastructure.EverySecond;
import org.civitas.federation.protocol.RoundTask;

import java.util.List;
import java.util.Properties;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.logging.Level;
import java.util.logging.Logger;
import java.time.Clock;

/**
 * Each hosted site asks the coordinator for open round tasks every second (sites call out; the
 * coordinator never calls into an enterprise), and starts one {@code local-finetune} job per new
 * task.
 */
@Singleton
@Startup
@DependsOn("SchemaMigrator")
@ConcurrencyManagement(ConcurrencyManagementType.BEAN)
@TransactionAttribute(TransactionAttributeType.NOT_SUPPORTED)
public class ParticipantPoller {

    @Inject
    Clock clock;

    private static final Logger LOG = Logger.getLogger(ParticipantPoller.class.getName());
    public static final String JOB = "local-finetune";

    private final AtomicBoolean busy = new AtomicBoolean();
    private volatile String lastProblem;

    @Inject
    HostedSites hostedSites;

    @Inject
    CoordinatorClient coordinator;

    @EJB
    TrainingRuns runs;

    @Inject
    jakarta.enterprise.event.Event<SiteEvents.Reached> reached;

    @EJB
    TrainingWindowService windows;

    private final java.util.Map<String, java.util.List<org.civitas.federation.protocol.SiteWindow>> reported =
            new java.util.concurrent.ConcurrentHashMap<>();

    private final java.util.Set<String> keyRegistered = java.util.concurrent.ConcurrentHashMap.newKeySet();

    /** Registers the site's signing key with the coordinator once per start (the same key again is accepted). */
    private void registerSigningKeyOnce(SiteIdentity site) {
        if (keyRegistered.contains(site.code())) {
            return;
        }
        try {
            String fingerprint = coordinator.registerSigningKey(site);
            keyRegistered.add(site.code());
            LOG.info(() -> "Site " + site.code() + " signs its updates with Ed25519 key " + fingerprint);
        } catch (RuntimeException e) {
            // Said once: until the key is registered, uploads are refused as unverifiable or go unsigned.
            keyRegistered.add(site.code());
            LOG.log(Level.WARNING, "Site {0} could not register its signing key: {1}", new Object[] {site.code(), e.getMessage()});
        }
    }

    /** Tells the coordinator the site's windows after a start or a change, so its round deadlines can respect them. */
    private void reportWindowsIfChanged(SiteIdentity site) {
        java.util.List<org.civitas.federation.protocol.SiteWindow> now = windows.schedule(site.code()).windows().stream()
                .map(w -> new org.civitas.federation.protocol.SiteWindow(w.cron(), w.lengthSeconds(), w.timeZone()))
                .toList();
        if (!now.equals(reported.get(site.code()))) {
            try {
                coordinator.reportWindows(site, now);
                reported.put(site.code(), now);
            } catch (RuntimeException e) {
                LOG.log(Level.INFO, "Site {0} could not report its training windows yet: {1}", new Object[] {site.code(), e.getMessage()});
            }
        }
    }

    /** Stops the site's jobs that are in their train step; the worker's last epoch checkpoint stays for the restart. */
    private void pauseTraining(SiteIdentity site, JobOperator jobs, java.time.Instant resumesAt) {
        for (org.civitas.domain.participant.LocalTrainingRun run : runs.running(site.code())) {
            Long execution = run.getJobExecutionId();
            if (execution == null) {
                continue;
            }
            jakarta.batch.runtime.BatchStatus status = jobs.getJobExecution(execution).getBatchStatus();
            boolean training = jobs.getStepExecutions(execution).stream()
                    .anyMatch(st -> "train".equals(st.getStepName()) && st.getBatchStatus() == jakarta.batch.runtime.BatchStatus.STARTED);
            if ((status == jakarta.batch.runtime.BatchStatus.STARTED || status == jakarta.batch.runtime.BatchStatus.STARTING) && training) {
                runs.pause(run.getId(), resumesAt);
                jobs.stop(execution);
                LOG.info(() -> "Site " + site.code() + ": training window closed; paused run " + run.getId() + " (execution "
                        + execution + "), resumes at " + resumesAt);
            }
        }
    }

    /** Restarts the site's paused jobs once they have stopped: the train step resumes from its checkpoint. */
    private void resumePaused(SiteIdentity site, JobOperator jobs) {
        for (org.civitas.domain.participant.LocalTrainingRun run : runs.paused(site.code())) {
            jakarta.batch.runtime.BatchStatus status = jobs.getJobExecution(run.getJobExecutionId()).getBatchStatus();
            if (status == jakarta.batch.runtime.BatchStatus.STOPPED || status == jakarta.batch.runtime.BatchStatus.FAILED) {
                long execution = jobs.restart(run.getJobExecutionId(), new Properties());
                runs.resume(run.getId(), execution);
                LOG.info(() -> "Site " + site.code() + ": training window open; resumed run " + run.getId() + " as execution " + execution);
            }
        }
    }

    @Resource
    SessionContext context;

    @Resource
    ManagedScheduledExecutorService scheduler;

    private ScheduledFuture<?> schedule;

    /** Every second: see {@link EverySecond} for why not an EJB timer. */
    @PostConstruct
    void start() {
        schedule = EverySecond.run(scheduler, context.getBusinessObject(ParticipantPoller.class)::poll, LOG, "Polling the coordinator");
    }

    @PreDestroy
    void stop() {
        if (schedule != null) {
            schedule.cancel(false);
        }
    }

    public void poll() {
        if (!busy.compareAndSet(false, true)) {
            return;
        }
        try {
            for (String code : hostedSites.codes()) {
                pollSite(hostedSites.identity(code));
            }
        } finally {
            busy.set(false);
        }
    }

    private void pollSite(SiteIdentity site) {
        List<RoundTask> tasks;
        try {
            tasks = coordinator.tasks(site);
            lastProblem = null;
        } catch (RuntimeException e) {
            // The coordinator may be starting or unreachable: say so once, not every second.
            String problem = e.getMessage();
            if (problem != null && !problem.equals(lastProblem)) {
                LOG.log(Level.INFO, "Site {0} cannot reach the coordinator yet: {1}", new Object[] {site.code(), problem});
            }
            lastProblem = problem;
            return;
        }
        registerSigningKeyOnce(site);
        reached.fire(new SiteEvents.Reached(site));
        reportWindowsIfChanged(site);
        JobOperator jobs = BatchRuntime.getJobOperator();
        java.time.Instant now = clock.instant();
        org.civitas.federation.core.schedule.TrainingCalendar calendar = windows.calendar(site.code());
        if (!calendar.isOpen(now)) {
            // Outside the site's training window: pause what trains, start nothing.
            pauseTraining(site, jobs, calendar.nextOpening(now).orElse(null));
            return;
        }
        resumePaused(site, jobs);
        for (RoundTask task : tasks) {
            // A failed job is restarted (from its failed step) while attempts remain and the round is open.
            runs.retryableExecution(site.code(), task.federationId(), task.round()).ifPresent(failed -> {
                jakarta.batch.runtime.BatchStatus status = jobs.getJobExecution(failed).getBatchStatus();
                if (status == jakarta.batch.runtime.BatchStatus.STARTED || status == jakarta.batch.runtime.BatchStatus.STARTING
                        || status == jakarta.batch.runtime.BatchStatus.STOPPING) {
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
}
