package org.civitas.infrastructure.persistence;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.EntityManager;
import jakarta.persistence.PersistenceContext;
import org.civitas.domain.registry.ModelVersion;

import java.util.List;
import java.util.Optional;

/** Model versions of the registry. */
@ApplicationScoped
public class ModelRegistryRepository {

    @PersistenceContext(unitName = "civitas")
    EntityManager em;

    public ModelVersion add(ModelVersion version) {
        return GeneratedIds.persist(em, version);
    }

    public Optional<ModelVersion> version(long federationId, int versionNumber) {
        return em.createQuery("select m from ModelVersion m where m.federation.id = :f and m.versionNumber = :v", ModelVersion.class)
                .setParameter("f", federationId).setParameter("v", versionNumber)
                .getResultStream().findFirst();
    }

    public List<ModelVersion> versions(long federationId) {
        return em.createQuery("select m from ModelVersion m where m.federation.id = :f order by m.versionNumber", ModelVersion.class)
                .setParameter("f", federationId).getResultList();
    }
}
