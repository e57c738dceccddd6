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
            OptionalLong token = claim();
            if (token.isEmpty()) {
                return;
            }
            for (long roundId : aggregator.openRoundIds()) {
                try {
                    RoundAggregator.Closing closing = aggregator.closeIfDue(roundId, token.getAsLong());
                    if (closing.outcome() != RoundAggregator.Outcome.NOT_DUE) {
                        metrics.roundClosed(closing.outcome().name().toLowerCase(java.util.Locale.ROOT));
                    }
                    if (closing.outcome() == RoundAggregator.Outcome.AGGREGATED) {
                        // Valued by a batch job after the aggregation committed, off the next round's path.
                        Properties params = new Properties();
                        params.setProperty("federation", Long.toString(closing.federationId()));
                        params.setProperty("round", Integer.toString(closing.round()));
                        BatchRuntime.getJobOperator().start("round-valuation", params);
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
