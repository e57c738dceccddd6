package org.civitas.federation.site;

import jakarta.annotation.PostConstruct;
import jakarta.annotation.PreDestroy;
import jakarta.annotation.Resource;
import jakarta.ejb.ConcurrencyManagement;
import jakarta.ejb.ConcurrencyManagementType;
import jakarta.ejb.DependsOn;
import jakarta.ejb.EJB;
import jakarta.ejb.SessionContext;
import jakarta.ejb.Singleton;
import jakarta.ejb.Startup;
import jakarta.ejb.TransactionAttribute;
import jakarta.ejb.TransactionAttributeType;
import jakarta.enterprise.concurrent.ManagedScheduledExecutorService;
import jakarta.enterprise.event.Event;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.event.TransactionPhase;
import jakarta.inject.Inject;
import org.civitas.federation.core.schedule.TrainingCalendar;
import org.civitas.federation.infrastructure.EverySecond;
import org.civitas.federation.common.RoundsOpened;
import org.civitas.federation.protocol.RoundTask;
import org.civitas.federation.protocol.RoundTasks;

import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Each hosted site asks the coordinator for open round tasks as often as the coordinator says: every
 * second while a round is open for it, seldom while none is (sites call out; the coordinator never
 * calls into an enterprise, so an idle site learns of a new federation at its next poll, or at once
 * when the coordinator runs in this server). Each poll is a long one ({@code civitas.participant.long-poll-seconds}):
 * a site with nothing to do is answered when a task of its appears, so a site that sent its update
 * does not ask every second until the next round opens. The long poll runs beside the ticks, and the
 * tick after its answer serves it. Once it reaches the coordinator it tells it its
 * signing key and windows ({@link CoordinatorHandshake}); inside its training window it has a {@code local-finetune} job
 * serve each task, outside it pauses what trains ({@link LocalTrainingJobs}); its batch scoring keeps to
 * the same windows ({@link ScoringJobs}).
 */
@Singleton
@Startup
@DependsOn("SchemaMigrator")
@ConcurrencyManagement(ConcurrencyManagementType.BEAN)
@TransactionAttribute(TransactionAttributeType.NOT_SUPPORTED)
public class ParticipantPoller {

    private static final Logger LOG = Logger.getLogger(ParticipantPoller.class.getName());

    private final AtomicBoolean busy = new AtomicBoolean();
    private volatile String lastProblem;
    /** When each hosted site asks the coordinator next: as soon as possible if absent. */
    private final Map<String, Instant> nextPoll = new ConcurrentHashMap<>();
    /** Each hosted site's long poll, in flight or answered and not yet taken. */
    private final Map<String, java.util.concurrent.Future<RoundTasks>> asking = new ConcurrentHashMap<>();

    @Inject
    org.civitas.federation.infrastructure.CivitasSettings settings;

    @Resource
    jakarta.enterprise.concurrent.ManagedExecutorService executor;

    @Inject
    Clock clock;

    @Inject
    HostedSites hostedSites;

    @Inject
    CoordinatorClient coordinator;

    @Inject
    CoordinatorHandshake handshake;

    @Inject
    LocalTrainingJobs jobs;

    @Inject
    ScoringJobs scoring;

    @Inject
    Event<SiteEvents.Reached> reached;

    @EJB
    TrainingWindowService windows;

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

    /** Rounds opened in this very server (the standalone role): its sites ask for their tasks at the next tick. */
    public void roundsOpened(@Observes(during = TransactionPhase.AFTER_SUCCESS) RoundsOpened opened) {
        opened.sites().forEach(nextPoll::remove);
    }

    @PreDestroy
    void stop() {
        if (schedule != null) {
            schedule.cancel(false);
        }
        asking.values().forEach(f -> f.cancel(true));
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
        Instant now = clock.instant();
        List<RoundTask> tasks = List.of();
        // The training windows below are kept every second; the coordinator is asked as often as it says.
        if (!now.isBefore(nextPoll.getOrDefault(site.code(), Instant.MIN))) {
            RoundTasks answer;
            try {
                answer = ask(site);
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
            if (answer == null) {
                // The long poll is held: the training windows are kept meanwhile.
                keepWindows(site, now, List.of());
                return;
            }
            nextPoll.put(site.code(), now.plusSeconds(answer.pollAfterSeconds()));
            tasks = answer.tasks();
            handshake.registerSigningKeyOnce(site);
            reached.fire(new SiteEvents.Reached(site));
            handshake.reportWindowsIfChanged(site);
        }
        keepWindows(site, now, tasks);
    }

    /**
     * The coordinator's answer to the site's poll, or null while a long poll is held. Without long polls
     * the coordinator is asked here and now.
     */
    private RoundTasks ask(SiteIdentity site) {
        int wait = settings.longPollSeconds();
        if (wait == 0) {
            return coordinator.tasks(site);
        }
        java.util.concurrent.Future<RoundTasks> poll = asking.computeIfAbsent(site.code(),
                code -> executor.submit(() -> coordinator.waitForTasks(site, wait)));
        if (!poll.isDone()) {
            return null;
        }
        asking.remove(site.code());
        try {
            return poll.get();
        } catch (java.util.concurrent.ExecutionException e) {
            throw e.getCause() instanceof RuntimeException r ? r : new IllegalStateException(e.getCause());
        } catch (java.util.concurrent.CancellationException e) {
            throw new IllegalStateException("the poll of site " + site.code() + " was cancelled", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("the poll of site " + site.code() + " was interrupted", e);
        }
    }

    private void keepWindows(SiteIdentity site, Instant now, List<RoundTask> tasks) {
        TrainingCalendar calendar = windows.calendar(site.code());
        if (!calendar.isOpen(now)) {
            // Outside the site's training window: pause what trains, start nothing.
            jobs.pauseTraining(site, calendar.nextOpening(now).orElse(null));
            scoring(site, () -> scoring.pause(site, calendar.nextOpening(now).orElse(null)));
            return;
        }
        jobs.resumePaused(site);
        scoring(site, () -> scoring.resume(site));
        for (RoundTask task : tasks) {
            jobs.serve(site, task);
        }
    }

    /** Scoring keeps to the windows too; a problem with it never holds the site's rounds back. */
    private void scoring(SiteIdentity site, Runnable step) {
        try {
            step.run();
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "Site " + site.code() + " cannot pause or resume its scoring runs", e);
        }
    }
}
