package org.civitas.infrastructure.persistence;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.EntityManager;
import jakarta.persistence.PersistenceContext;
import org.civitas.domain.registry.RegisteredManifest;

import java.util.List;
import java.util.Optional;

/** Registered model manifests, by hash. */
@ApplicationScoped
public class ModelManifestRepository {

    @PersistenceContext(unitName = "civitas")
    EntityManager em;

    public RegisteredManifest add(RegisteredManifest manifest) {
        return GeneratedIds.persist(em, manifest);
    }

    public Optional<RegisteredManifest> find(String sha256) {
        return em.createQuery("select m from RegisteredManifest m where m.sha256 = :h", RegisteredManifest.class)
                .setParameter("h", sha256).getResultStream().findFirst();
    }

    /** Every manifest, by name. */
    public List<RegisteredManifest> all() {
        return em.createQuery("select m from RegisteredManifest m order by m.name, m.id", RegisteredManifest.class)
                .getResultList();
    }
}
