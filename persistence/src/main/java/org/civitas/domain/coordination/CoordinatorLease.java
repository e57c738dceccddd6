package org.civitas.domain.coordination;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

import java.time.Duration;
import java.time.Instant;

/**
 * Which coordinator server does the work only one may do at a time (closing rounds, aggregating,
 * starting their valuation), when several share one database. A server claims the lease every
 * second, which renews it while it holds it; another may take it once it has run out. Each new
 * holding gets the next fencing token, and every aggregation checks its token in its own
 * transaction before it commits ({@link #requireHeldWith}): a holder that paused past its lease
 * and woke up, still believing it leads, can no longer write.
 */
@Entity
@Table(name = "coordinator_lease")
public class CoordinatorLease {

    /** The one lease there is: the round orchestrator's. */
    public static final String ROUNDS = "rounds";

    /** The lease is held by another server, or with another token: this server must not write. */
    public static final class LostException extends IllegalStateException {
        public LostException(String message) {
            super(message);
        }
    }

    @Id
    @Column(length = 64)
    private String name;

    @Column(length = 200)
    private String holder;

    @Column(name = "fencing_token", nullable = false)
    private long fencingToken;

    @Column(name = "acquired_at")
    private Instant acquiredAt;

    @Column(name = "expires_at")
    private Instant expiresAt;

    protected CoordinatorLease() {
    }

    public CoordinatorLease(String name) {
        this.name = name;
    }

    /**
     * Claims the lease for {@code server} at {@code now} for {@code length}: renews it if the server
     * holds it and it has not run out, takes it with a new token if it is free or has run out
     * (also when the same server's own holding ran out: what it began under the old token is
     * fenced off). Answers whether {@code server} holds it now.
     */
    public boolean claim(String server, Instant now, Duration length) {
        if (server == null || server.isBlank()) {
            throw new IllegalArgumentException("server: a claim names the server that claims");
        }
        if (length.isNegative() || length.isZero()) {
            throw new IllegalArgumentException("length: a lease lasts a positive time, was " + length);
        }
        boolean live = holder != null && now.isBefore(expiresAt);
        if (live && !holder.equals(server)) {
            return false;
        }
        if (!live) {
            holder = server;
            fencingToken++;
            acquiredAt = now;
        }
        expiresAt = now.plus(length);
        return true;
    }

    /** Gives the lease up at once (a server that stops), so another need not wait for it to run out. */
    public void release(String server) {
        if (server.equals(holder)) {
            holder = null;
            expiresAt = null;
        }
    }

    /**
     * Checked in the transaction of every write that only the holder may make, with the row locked:
     * the lease must still be {@code server}'s, under the {@code token} it claimed it with. Whether
     * it has run out does not matter: nobody else can have taken it without a newer token.
     *
     * @throws LostException when another server took it, or this one took it again since
     */
    public void requireHeldWith(String server, long token) {
        if (!server.equals(holder) || token != fencingToken) {
            throw new LostException("the " + name + " lease is " + (holder == null ? "free" : "held by " + holder) + " with token "
                    + fencingToken + ", not by " + server + " with token " + token + ": this server no longer leads");
        }
    }

    public String getName() {
        return name;
    }

    public String getHolder() {
        return holder;
    }

    public long getFencingToken() {
        return fencingToken;
    }

    public Instant getAcquiredAt() {
        return acquiredAt;
    }

    public Instant getExpiresAt() {
        return expiresAt;
    }
}
