package org.civitas.federation.coordinator;

import org.civitas.federation.infrastructure.SchemaMigrator;

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
import org.civitas.federation.infrastructure.CivitasSettings;
import org.civitas.infrastructure.persistence.FederationRepository;

import java.util.OptionalLong;
import java.util.Properties;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The coordinator's heartbeat: every second it claims the coordinators' lease and, while it holds
 * it, closes the rounds that are due (quorum reached or deadline passed). State lives in the
 * database, so a restarted server simply carries on, and of several coordinator servers sharing
 * the database one closes rounds while the others answer the sites and wait to take over
 * ({@link CoordinatorLeadership}).
 */
@Singleton
@Startup
@DependsOn("SchemaMigrator")
@ConcurrencyManagement(ConcurrencyManagementType.BEAN)
@TransactionAttribute(TransactionAttributeType.NOT_SUPPORTED)
public class RoundOrchestrator {

    private static final Logger LOG = Logger.getLogger(RoundOrchestrator.class.getName());

    private final AtomicBoolean busy = new AtomicBoolean();
    private volatile boolean leading;
    private volatile long lastToken = -1;

    @EJB
    CoordinatorLeadership leadership;

    @EJB
    RoundAggregator aggregator;

    @Inject
    CivitasSettings settings;

    @Inject
    java.time.Clock clock;

    @Inject
    org.civitas.federation.infrastructure.CivitasMetrics metrics;

    @Resource
    SessionContext context;

    @Resource
    ManagedScheduledExecutorService scheduler;

    private ScheduledFuture<?> schedule;

    /** Every second: see {@link EverySecond} for why not an EJB timer. */
    @PostConstruct
    void start() {
        schedule = EverySecond.run(scheduler, context.getBusinessObject(RoundOrchestrator.class)::tick, LOG, "Closing due rounds");
    }

    @PreDestroy
    void stop() {
        if (schedule != null) {
            schedule.cancel(false);
        }
        if (leading) {
            try {
                // Another coordinator server takes over at its next claim, not when the lease runs out.
                leadership.release();
            } catch (RuntimeException e) {
                LOG.log(Level.INFO, "The coordinators' lease could not be given up; it runs out by itself", e);
            }
        }
    }

    public void tick() {
        if (!settings.isCoordinator() || !busy.compareAndSet(false, true)) {
            return;
        }
        try {
            boolean wasLeading = leading;
            OptionalLong token = claim();
            if (token.isEmpty()) {
                return;
            }
            restartLostValuations(!wasLeading);
            for (long roundId : aggregator.openRoundIds()) {
                try {
                    RoundAggregator.Closing closing = aggregator.closeIfDue(roundId, token.getAsLong());
                    if (closing.outcome() != RoundAggregator.Outcome.NOT_DUE) {
                        metrics.roundClosed(closing.outcome().name().toLowerCase(java.util.Locale.ROOT));
                    }
                    if (closing.outcome() == RoundAggregator.Outcome.AGGREGATED) {
                        // Valued by a batch job after the aggregation committed, off the next round's path.
                        startValuation(new FederationRepository.RoundRef(closing.federationId(), closing.round()));
                    }
                } catch (RuntimeException e) {
                    if (lost(e)) {
                        LOG.info(() -> "Round " + roundId + " was not closed here: " + e.getMessage());
                        return;
                    }
                    LOG.log(Level.WARNING, "Closing round " + roundId + " failed; will retry", e);
                }
            }
        } finally {
            busy.set(false);
        }
    }

    private final ValuationRestarts valuations = new ValuationRestarts();

    /** How far back a server that takes the lease looks for aggregated rounds left without their valuation. */
    static final java.time.Duration LOST_VALUATIONS_WITHIN = java.time.Duration.ofHours(1);

    private void startValuation(FederationRepository.RoundRef round) {
        Properties params = new Properties();
        params.setProperty("federation", Long.toString(round.federationId()));
        params.setProperty("round", Integer.toString(round.number()));
        valuations.started(round, clock.instant());
        BatchRuntime.getJobOperator().start("round-valuation", params);
    }

    /**
     * Starts again the valuations that rounds wait for and that run nowhere here ({@link ValuationRestarts});
     * a server that has just taken the lease also values the rounds aggregated in the last hour with no
     * contribution recorded, whose jobs died with the server that led.
     */
    private void restartLostValuations(boolean tookLease) {
        try {
            java.time.Instant now = clock.instant();
            java.util.List<FederationRepository.RoundRef> wanted = new java.util.ArrayList<>(aggregator.roundsAwaited());
            if (tookLease) {
                wanted.addAll(aggregator.unvaluedSince(now.minus(LOST_VALUATIONS_WITHIN)));
            }
            if (wanted.isEmpty()) {
                return;
            }
            valuations.forgetBefore(now.minus(LOST_VALUATIONS_WITHIN));
            for (FederationRepository.RoundRef round : valuations.toStart(wanted, runningValuations(), now)) {
                LOG.info(() -> "Valuing round " + round.number() + " of federation " + round.federationId()
                        + (tookLease ? ": its valuation did not run to its end under the coordinator that led" : ": the next round waits for it"));
                startValuation(round);
            }
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "Lost valuations could not be looked for; trying again in a second", e);
        }
    }

    /** The valuation jobs running in this server (the job repository is this server's). */
    private static java.util.Set<FederationRepository.RoundRef> runningValuations() {
        jakarta.batch.operations.JobOperator operator = BatchRuntime.getJobOperator();
        java.util.Set<FederationRepository.RoundRef> running = new java.util.HashSet<>();
        try {
            for (Long execution : operator.getRunningExecutions("round-valuation")) {
                Properties p = operator.getParameters(execution);
                running.add(new FederationRepository.RoundRef(Long.parseLong(p.getProperty("federation")),
                        Integer.parseInt(p.getProperty("round"))));
            }
        } catch (jakarta.batch.operations.NoSuchJobException e) {
            // No valuation has run in this server yet.
        }
        return running;
    }

    /** This server's fencing token while it holds the lease; empty while another server does, or the database cannot say. */
    private OptionalLong claim() {
        OptionalLong token;
        try {
            token = leadership.claim();
        } catch (RuntimeException e) {
            token = OptionalLong.empty();
            if (leading) {
                LOG.log(Level.WARNING, "The coordinators' lease could not be renewed; this server stops closing rounds", e);
            }
        }
        if (token.isPresent() != leading || token.isPresent() && token.getAsLong() != lastToken) {
            OptionalLong now = token;
            LOG.info(() -> now.isPresent() ? "This server closes the rounds now (coordinators' lease, fencing token " + now.getAsLong() + ")"
                    : "Another coordinator server closes the rounds now");
        }
        leading = token.isPresent();
        lastToken = token.orElse(-1);
        metrics.leading(leading);
        return token;
    }

    private static boolean lost(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof CoordinatorLeadership.LostException) {
                return true;
            }
        }
        return false;
    }
}
