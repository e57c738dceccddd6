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

import java.util.Properties;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The coordinator's heartbeat: every second it closes the rounds that are due (quorum reached or
 * deadline passed). State lives in the database, so a restarted server simply carries on.
 */
@Singleton
@Startup
@DependsOn("SchemaMigrator")
@ConcurrencyManagement(ConcurrencyManagementType.BEAN)
@TransactionAttribute(TransactionAttributeType.NOT_SUPPORTED)
public class RoundOrchestrator {

    private static final Logger LOG = Logger.getLogger(RoundOrchestrator.class.getName());

    private final AtomicBoolean busy = new AtomicBoolean();

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
    }

    public void tick() {
        if (!settings.isCoordinator() || !busy.compareAndSet(false, true)) {
            return;
        }
        try {
            for (long roundId : aggregator.openRoundIds()) {
                try {
                    RoundAggregator.Closing closing = aggregator.closeIfDue(roundId);
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
                    LOG.log(Level.WARNING, "Closing round " + roundId + " failed; will retry", e);
                }
            }
        } finally {
            busy.set(false);
        }
    }
}
