package org.civitas.infrastructure.persistence;

import jakarta.persistence.EntityManager;

/**
 * Persists an entity so that its generated id can be read at once, as callers do (to answer with
 * it, or to reference it in the audit). Hibernate assigns an IDENTITY id when the entity is
 * persisted; EclipseLink (Payara) only when the context is flushed, so there, and only there, this
 * flushes.
 */
final class GeneratedIds {

    private GeneratedIds() {
    }

    static <T> T persist(EntityManager em, T entity) {
        em.persist(entity);
        if (em.getEntityManagerFactory().getPersistenceUnitUtil().getIdentifier(entity) == null) {
            em.flush();
        }
        return entity;
    }
}
