package org.civitas.infrastructure.persistence;

import jakarta.persistence.EntityManager;
import jakarta.persistence.LockModeType;

/**
 * Finds an entity locked for update (PESSIMISTIC_WRITE) without losing what this transaction
 * already changed in it. EclipseLink (Payara) re-reads an entity it locks, which would drop
 * changes not yet flushed, so there the context is flushed first. Hibernate (WildFly) keeps the
 * changes, and is not flushed: a flush would write the ledger's updates before this lock is taken,
 * where the ordered updates at commit keep two transactions from deadlocking.
 */
public final class EntityLocks {

    private EntityLocks() {
    }

    public static <T> T findForUpdate(EntityManager em, Class<T> type, Object id) {
        if (refreshesOnLock(em)) {
            em.flush();
        }
        return em.find(type, id, LockModeType.PESSIMISTIC_WRITE);
    }

    private static boolean refreshesOnLock(EntityManager em) {
        return em.getDelegate().getClass().getName().startsWith("org.eclipse.persistence.");
    }
}
