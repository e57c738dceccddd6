package org.civitas.infrastructure.time;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Produces;

import java.time.Clock;

/**
 * The one clock the application reads the time from. Services inject {@link Clock} instead of
 * calling {@code Instant.now()}, so that a test can hand them a fixed or stepped clock.
 */
@ApplicationScoped
public class ClockProducer {

    @Produces
    @ApplicationScoped
    Clock clock() {
        return Clock.systemUTC();
    }
}
