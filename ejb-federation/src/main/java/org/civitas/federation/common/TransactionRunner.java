package org.civitas.federation.common;

import jakarta.ejb.Stateless;
import jakarta.ejb.TransactionAttribute;
import jakarta.ejb.TransactionAttributeType;

import java.sql.SQLException;
import java.util.function.Supplier;
import java.util.logging.Logger;

/**
 * Runs work in a transaction of its own and retries it when it lost a race with a concurrent
 * writer (an optimistic-lock conflict, a lock timeout, a serialization failure or a unique key
 * taken meanwhile): each attempt starts afresh from the committed state.
 */
@Stateless
public class TransactionRunner {

    private static final Logger LOG = Logger.getLogger(TransactionRunner.class.getName());

    static final int ATTEMPTS = 8;

    @jakarta.annotation.Resource
    jakarta.ejb.SessionContext context;

    @jakarta.persistence.PersistenceContext(unitName = "civitas")
    jakarta.persistence.EntityManager em;

    /** A lost race, raised inside the transaction so it rolls back quietly and the caller retries. */
    @jakarta.ejb.ApplicationException(rollback = true)
    public static class ConcurrentWriteException extends RuntimeException {
        ConcurrentWriteException(Throwable cause) {
            super("a concurrent transaction changed the same rows first", cause);
        }
    }

    @TransactionAttribute(TransactionAttributeType.REQUIRES_NEW)
    public <T> T once(Supplier<T> work) {
        try {
            T result = work.get();
            // Flushed here, not at commit, so a stale version surfaces as an exception of this method.
            em.flush();
            return result;
        } catch (jakarta.persistence.PersistenceException e) {
            if (isConflict(e)) {
                throw new ConcurrentWriteException(e);
            }
            throw e;
        }
    }

    /** Must be called outside a transaction, or each retry would share the caller's doomed one. */
    @TransactionAttribute(TransactionAttributeType.NOT_SUPPORTED)
    public <T> T withRetry(String what, Supplier<T> work) {
        TransactionRunner self = context.getBusinessObject(TransactionRunner.class);
        for (int attempt = 1; ; attempt++) {
            try {
                return self.once(work);
            } catch (RuntimeException e) {
                if (attempt >= ATTEMPTS || !isConflict(e)) {
                    throw e;
                }
                int current = attempt;
                LOG.fine(() -> what + ": attempt " + current + " lost a race with a concurrent writer; retrying");
                try {
                    Thread.sleep((long) (5 * Math.pow(2, attempt) * (0.5 + Math.random())));
                } catch (InterruptedException interrupted) {
                    Thread.currentThread().interrupt();
                    throw e;
                }
            }
        }
    }

    static boolean isConflict(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof ConcurrentWriteException || t instanceof jakarta.persistence.OptimisticLockException || t instanceof jakarta.persistence.PessimisticLockException
                    || t instanceof jakarta.persistence.LockTimeoutException
                    || t.getClass().getName().endsWith("StaleObjectStateException")
                    || t.getClass().getName().endsWith("StaleStateException")) {
                return true;
            }
            if (t instanceof SQLException sql && sql.getSQLState() != null
                    // 40xxx: serialization failure or deadlock; 23505: unique key taken by a concurrent insert;
                    // H2 reports a concurrent row update as 90131.
                    && (sql.getSQLState().startsWith("40") || "23505".equals(sql.getSQLState()) || sql.getErrorCode() == 90131)) {
                return true;
            }
        }
        return false;
    }
}
