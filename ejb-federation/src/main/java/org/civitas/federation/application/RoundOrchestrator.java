package org.civitas.federation.application;

import jakarta.ejb.ConcurrencyManagement;
import jakarta.ejb.ConcurrencyManagementType;
import jakarta.ejb.DependsOn;
import jakarta.ejb.EJB;
import jakarta.ejb.Schedule;
import jakarta.ejb.Singleton;
import jakarta.ejb.Startup;
import jakarta.ejb.TransactionAttribute;
import jakarta.ejb.TransactionAttributeType;
import jakarta.inject.Inject;
import org.civitas.federation.infrastructure.CivitasSettings;

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

    @Schedule(hour = "*", minute = "*", second = "*", persistent = false)
    void tick() {
        if (!settings.isCoordinator() || !busy.compareAndSet(false, true)) {
            return;
        }
        try {
            for (long roundId : aggregator.openRoundIds()) {
                try {
                    aggregator.closeIfDue(roundId);
                } catch (RuntimeException e) {
                    LOG.log(Level.WARNING, "Closing round " + roundId + " failed; will retry", e);
                }
            }
        } finally {
            busy.set(false);
        }
    }
}
