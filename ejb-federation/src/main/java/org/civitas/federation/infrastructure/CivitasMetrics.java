package org.civitas.federation.infrastructure;

import jakarta.enterprise.context.ApplicationScoped;

import java.time.Duration;

/**
 * Civitas's operational metrics: rounds closed per outcome, whether this coordinator server
 * leads, update bytes received at the
 * coordinator and sent and fetched by sites, and local training time per site. On WildFly they go
 * to the server's Micrometer registry (scraped in Prometheus format from the management port's
 * {@code /metrics}); a server without Micrometer (Payara) counts nothing and works as before, which
 * is why this bean names no Micrometer type: only {@link MicrometerMeters} does, loaded when present.
 */
@ApplicationScoped
public class CivitasMetrics {

    /** Where the counts go. */
    interface Meters {
        void count(String name, double amount, String... tags);

        void time(String name, Duration took, String... tags);

        /** Registers a gauge that reads {@code value} whenever it is scraped. */
        void gauge(String name, java.util.concurrent.atomic.AtomicLong value);
    }

    private static final Meters NONE = new Meters() {
        @Override
        public void count(String name, double amount, String... tags) {
        }

        @Override
        public void time(String name, Duration took, String... tags) {
        }

        @Override
        public void gauge(String name, java.util.concurrent.atomic.AtomicLong value) {
        }
    };

    private final java.util.concurrent.atomic.AtomicLong leading = new java.util.concurrent.atomic.AtomicLong();
    private final java.util.concurrent.atomic.AtomicBoolean leadingRegistered = new java.util.concurrent.atomic.AtomicBoolean();

    private volatile Meters meters;

    private Meters meters() {
        Meters m = meters;
        if (m == null) {
            m = micrometerPresent() ? MicrometerMeters.fromContainer().orElse(NONE) : NONE;
            meters = m;
        }
        return m;
    }

    private static boolean micrometerPresent() {
        try {
            Class.forName("io.micrometer.core.instrument.MeterRegistry", false, CivitasMetrics.class.getClassLoader());
            return true;
        } catch (ClassNotFoundException e) {
            return false;
        }
    }

    /** A round the coordinator closed: {@code aggregated} or {@code failed}. */
    public void roundClosed(String outcome) {
        meters().count("civitas.rounds.closed", 1, "outcome", outcome);
    }

    /** Whether this coordinator server holds the coordinators' lease (closes the rounds): 1 or 0. */
    public void leading(boolean held) {
        leading.set(held ? 1 : 0);
        if (leadingRegistered.compareAndSet(false, true)) {
            meters().gauge("civitas.coordinator.leading", leading);
        }
    }

    /** An update the coordinator accepted, with its size on the wire. */
    public void updateReceived(String site, long bytes) {
        meters().count("civitas.update.received.bytes", bytes, "site", site);
    }

    /** An update a hosted site sent to the coordinator. */
    public void updateSent(String site, long bytes) {
        meters().count("civitas.update.sent.bytes", bytes, "site", site);
    }

    /** A global model a hosted site fetched for its local training. */
    public void globalModelFetched(String site, long bytes) {
        meters().count("civitas.global-model.fetched.bytes", bytes, "site", site);
    }

    /** One local training of a hosted site, from the received model to the update in its outbox. */
    public void localTraining(String site, String model, Duration took) {
        meters().time("civitas.local.training", took, "site", site, "model", model);
    }

    /** A site's poll that found nothing, held by this server until a task appears or its wait runs out. */
    public void pollHeld(String site) {
        meters().count("civitas.polls.held", 1, "site", site);
    }

    /** A held poll this server answered: {@code task} (one appeared), {@code deadline} (the wait ran out) or {@code error}. */
    public void heldPollAnswered(String site, String how) {
        meters().count("civitas.polls.held.answered", 1, "site", site, "by", how);
    }
}
