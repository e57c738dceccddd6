package org.civitas.federation.coordinator;

import jakarta.ejb.Stateless;
import jakarta.ejb.TransactionAttribute;
import jakarta.ejb.TransactionAttributeType;
import jakarta.inject.Inject;
import jakarta.persistence.EntityManager;
import jakarta.persistence.PersistenceContext;
import org.civitas.domain.coordination.CoordinatorLease;
import org.civitas.federation.infrastructure.CivitasSettings;
import org.civitas.federation.infrastructure.CoordinatorNode;
import org.civitas.infrastructure.persistence.EntityLocks;

import java.time.Clock;
import java.time.Instant;
import java.util.OptionalLong;

/**
 * Which of the coordinator servers sharing the database closes the rounds: a lease row in that
 * database, claimed every second, with a fencing token that every aggregation checks before it
 * commits. A database lease rather than the application server's singleton service: the
 * coordinators need share nothing but the database (no cluster, no group membership, the same on
 * WildFly and Payara), and the fencing token makes a paused leader harmless however long it slept,
 * which a membership view alone does not.
 */
@Stateless
public class CoordinatorLeadership {

    /** This server no longer holds the lease with the token its work began under: the work's writes roll back. */
    @jakarta.ejb.ApplicationException(rollback = true)
    public static class LostException extends RuntimeException {
        LostException(CoordinatorLease.LostException cause) {
            super(cause.getMessage(), cause);
        }
    }

    /** The lease as one server sees it. */
    public record View(String holder, long fencingToken, Instant acquiredAt, Instant expiresAt, String thisServer, boolean held) {
    }

    @PersistenceContext(unitName = "civitas")
    EntityManager em;

    @Inject
    Clock clock;

    @Inject
    CivitasSettings settings;

    @Inject
    CoordinatorNode node;

    /**
     * Claims or renews the lease for this server, in a transaction of its own: the fencing token it
     * holds the lease with, or empty while another server holds it.
     */
    @TransactionAttribute(TransactionAttributeType.REQUIRES_NEW)
    public OptionalLong claim() {
        CoordinatorLease lease = lease();
        return lease.claim(node.name(), clock.instant(), settings.coordinatorLease()) ? OptionalLong.of(lease.getFencingToken())
                : OptionalLong.empty();
    }

    /**
     * In the caller's transaction, with the lease's row locked until it ends: this server still holds
     * the lease with {@code token}, or the caller's writes roll back.
     *
     * @throws LostException when another server took it over, or this one took it again since
     */
    @TransactionAttribute(TransactionAttributeType.MANDATORY)
    public void fence(long token) {
        try {
            lease().requireHeldWith(node.name(), token);
        } catch (CoordinatorLease.LostException e) {
            throw new LostException(e);
        }
    }

    /** Gives the lease up, when this server stops, so another takes over at once. */
    @TransactionAttribute(TransactionAttributeType.REQUIRES_NEW)
    public void release() {
        lease().release(node.name());
    }

    @TransactionAttribute(TransactionAttributeType.SUPPORTS)
    public View view() {
        CoordinatorLease lease = em.find(CoordinatorLease.class, CoordinatorLease.ROUNDS);
        boolean held = node.name().equals(lease.getHolder()) && lease.getExpiresAt() != null && clock.instant().isBefore(lease.getExpiresAt());
        return new View(lease.getHolder(), lease.getFencingToken(), lease.getAcquiredAt(), lease.getExpiresAt(), node.name(), held);
    }

    private CoordinatorLease lease() {
        CoordinatorLease lease = EntityLocks.findForUpdate(em, CoordinatorLease.class, CoordinatorLease.ROUNDS);
        if (lease == null) {
            throw new IllegalStateException("the coordinator_lease table lacks its '" + CoordinatorLease.ROUNDS + "' row");
        }
        return lease;
    }
}
