package org.civitas.federation.common;

import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Slows password guessing without handing an attacker a lock: failed logins count per user name
 * and client address. The first {@value #FREE_FAILURES} cost nothing; after that each attempt from
 * that address for that user must wait 2^(n − {@value #FREE_FAILURES}) seconds after the last
 * failure (capped at {@link #MAX_WAIT}), and is refused unchecked until then. Another address (the
 * real user's) is not slowed, so a stranger cannot lock anyone out; a success clears the count.
 * Kept in memory: a restart forgets it, which costs an attacker no more than a few free tries.
 */
final class LoginThrottle {

    static final int FREE_FAILURES = 5;
    static final Duration MAX_WAIT = Duration.ofMinutes(15);
    /** Entries kept at most before those that no longer slow anyone are dropped. */
    private static final int MAX_ENTRIES = 10_000;

    private record Failures(int count, Instant last) {
    }

    private final Map<String, Failures> failures = new ConcurrentHashMap<>();

    private static String key(String username, String address) {
        return username + '\0' + (address == null ? "" : address);
    }

    /** Until when attempts for the user from the address are refused, if they are now. */
    Optional<Instant> blockedUntil(String username, String address, Instant now) {
        Failures f = failures.get(key(username, address));
        if (f == null || f.count() < FREE_FAILURES) {
            return Optional.empty();
        }
        Instant until = f.last().plus(wait(f.count()));
        return now.isBefore(until) ? Optional.of(until) : Optional.empty();
    }

    /** Records a failure; answers whether it was the one that starts slowing this user and address down. */
    boolean failed(String username, String address, Instant now) {
        if (failures.size() > MAX_ENTRIES) {
            failures.entrySet().removeIf(e -> !now.isBefore(e.getValue().last().plus(MAX_WAIT)));
        }
        Failures f = failures.merge(key(username, address), new Failures(1, now), (old, one) -> new Failures(old.count() + 1, now));
        return f.count() == FREE_FAILURES;
    }

    void succeeded(String username, String address) {
        failures.remove(key(username, address));
    }

    static Duration wait(int failures) {
        int over = failures - FREE_FAILURES;
        if (over < 0) {
            return Duration.ZERO;
        }
        return over >= 10 ? MAX_WAIT : Duration.ofSeconds(Math.min(MAX_WAIT.getSeconds(), 1L << over));
    }
}
