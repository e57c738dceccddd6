package org.civitas.federation.infrastructure;

import io.micrometer.core.instrument.MeterRegistry;
import jakarta.enterprise.inject.Instance;
import jakarta.enterprise.inject.spi.CDI;

import java.time.Duration;
import java.util.Optional;

/**
 * The server's Micrometer registry behind {@link CivitasMetrics}. Meters are made with the
 * registry's own {@code counter}/{@code timer}/{@code gauge} methods, not with builders: WildFly's
 * per-deployment registry passes only those on to its exporters.
 */
final class MicrometerMeters implements CivitasMetrics.Meters {

    private final MeterRegistry registry;

    private MicrometerMeters(MeterRegistry registry) {
        this.registry = registry;
    }

    /** The container's registry, when it offers one as a CDI bean. */
    static Optional<CivitasMetrics.Meters> fromContainer() {
        Instance<MeterRegistry> registries = CDI.current().select(MeterRegistry.class);
        return registries.isResolvable() ? Optional.of(new MicrometerMeters(registries.get())) : Optional.empty();
    }

    @Override
    public void count(String name, double amount, String... tags) {
        registry.counter(name, tags).increment(amount);
    }

    @Override
    public void time(String name, Duration took, String... tags) {
        registry.timer(name, tags).record(took);
    }

    @Override
    public void gauge(String name, java.util.concurrent.atomic.AtomicLong value) {
        registry.gauge(name, value);
    }
}
