package org.civitas.federation.infrastructure;

import io.micrometer.core.instrument.MeterRegistry;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Instance;
import jakarta.inject.Inject;

import java.time.Duration;

/**
 * Civitas's operational metrics, kept in the server's Micrometer registry (on WildFly scraped in
 * Prometheus format from the management port's {@code /metrics}): rounds closed per outcome,
 * update bytes received at the coordinator and sent and fetched by sites, and local training time
 * per site. A server without a registry counts nothing and works as before.
 *
 * <p>Meters are made with the registry's own {@code counter}/{@code timer} methods, not with
 * builders: WildFly's per-deployment registry passes only those on to its exporters.
 */
@ApplicationScoped
public class CivitasMetrics {

    @Inject
    Instance<MeterRegistry> registries;

    private MeterRegistry registry() {
        return registries.isResolvable() ? registries.get() : null;
    }

    /** A round the coordinator closed: {@code aggregated} or {@code failed}. */
    public void roundClosed(String outcome) {
        MeterRegistry r = registry();
        if (r != null) {
            r.counter("civitas.rounds.closed", "outcome", outcome).increment();
        }
    }

    /** An update the coordinator accepted, with its size on the wire. */
    public void updateReceived(String site, long bytes) {
        MeterRegistry r = registry();
        if (r != null) {
            r.counter("civitas.update.received.bytes", "site", site).increment(bytes);
        }
    }

    /** An update a hosted site sent to the coordinator. */
    public void updateSent(String site, long bytes) {
        MeterRegistry r = registry();
        if (r != null) {
            r.counter("civitas.update.sent.bytes", "site", site).increment(bytes);
        }
    }

    /** A global model a hosted site fetched for its local training. */
    public void globalModelFetched(String site, long bytes) {
        MeterRegistry r = registry();
        if (r != null) {
            r.counter("civitas.global-model.fetched.bytes", "site", site).increment(bytes);
        }
    }

    /** One local training of a hosted site, from the received model to the update in its outbox. */
    public void localTraining(String site, String model, Duration took) {
        MeterRegistry r = registry();
        if (r != null) {
            r.timer("civitas.local.training", "site", site, "model", model).record(took);
        }
    }
}
