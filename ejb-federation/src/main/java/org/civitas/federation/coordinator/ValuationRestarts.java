package org.civitas.federation.coordinator;

import org.civitas.infrastructure.persistence.FederationRepository.RoundRef;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Which round valuations to start again. A valuation runs as a batch job in the server that led when
 * the round was aggregated; the job repository is that server's memory, so a leader that dies or
 * restarts loses the jobs it was running, and a job can fail. The round after a lost valuation would
 * then wait for it until half its timeout, and the round's contributions, credits and evaluation
 * would never be recorded. Every step of the job does nothing for a round it already did, so
 * starting one again is safe; this keeps it from being started every second.
 */
final class ValuationRestarts {

    /** How long after this server started a valuation it may start it again, should it not be running. */
    static final Duration RETRY_AFTER = Duration.ofSeconds(60);

    private final Map<RoundRef, Instant> started = new ConcurrentHashMap<>();

    /** A valuation this server started. */
    void started(RoundRef round, Instant at) {
        started.put(round, at);
    }

    /**
     * The rounds of {@code wanted} to value now: those not running here, and not started here in the last
     * {@link #RETRY_AFTER} (a job just started may not show as running yet).
     */
    List<RoundRef> toStart(Collection<RoundRef> wanted, Set<RoundRef> running, Instant now) {
        List<RoundRef> start = new ArrayList<>();
        for (RoundRef round : new LinkedHashSet<>(wanted)) {
            Instant last = started.get(round);
            if (!running.contains(round) && (last == null || !now.isBefore(last.plus(RETRY_AFTER)))) {
                start.add(round);
            }
        }
        return start;
    }

    /** Forgets the rounds started before {@code before}: done or given up, they need no memory. */
    void forgetBefore(Instant before) {
        started.values().removeIf(at -> at.isBefore(before));
    }
}
