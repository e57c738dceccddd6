package org.civitas.federation.infrastructure;

import jakarta.enterprise.concurrent.ManagedScheduledExecutorService;

import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Runs a bean's recurring work every second on the managed scheduled executor rather than an EJB
 * timer: Payara runs a timer's method in a transaction whatever its attribute, and a transaction
 * spanning the batch runtime and the entity manager is refused. Callers pass their bean's own
 * view, so the work runs with the bean's attribute (none). A failed run does not end the schedule.
 */
public final class EverySecond {

    private EverySecond() {
    }

    public static ScheduledFuture<?> run(ManagedScheduledExecutorService scheduler, Runnable work, Logger log, String what) {
        return scheduler.scheduleWithFixedDelay(() -> {
            try {
                work.run();
            } catch (RuntimeException e) {
                log.log(Level.WARNING, what + " failed; trying again in a second", e);
            }
        }, 1, 1, TimeUnit.SECONDS);
    }
}
