package org.civitas.infrastructure.persistence;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.EntityManager;
import jakarta.persistence.PersistenceContext;
import org.civitas.domain.pretraining.PublicDataset;
import org.civitas.domain.pretraining.TowerPretraining;

import java.util.List;
import java.util.Optional;

/** The coordinator's public datasets and its image-tower pretraining runs. */
@ApplicationScoped
public class PretrainingRepository {

    @PersistenceContext(unitName = "civitas")
    EntityManager em;

    public PublicDataset add(PublicDataset dataset) {
        return GeneratedIds.persist(em, dataset);
    }

    public Optional<PublicDataset> dataset(String name) {
        return em.createQuery("select d from PublicDataset d where d.name = :n", PublicDataset.class).setParameter("n", name)
                .getResultStream().findFirst();
    }

    public List<PublicDataset> datasets() {
        return em.createQuery("select d from PublicDataset d order by d.name", PublicDataset.class).getResultList();
    }

    public TowerPretraining add(TowerPretraining run) {
        return GeneratedIds.persist(em, run);
    }

    public Optional<TowerPretraining> run(long id) {
        return Optional.ofNullable(em.find(TowerPretraining.class, id));
    }

    public List<TowerPretraining> runs(int max) {
        return em.createQuery("select r from TowerPretraining r order by r.id desc", TowerPretraining.class).setMaxResults(max)
                .getResultList();
    }

    /** The completed run whose result has this hash: the lineage of a manifest's {@code image.base}. */
    public Optional<TowerPretraining> producing(String baseSha256) {
        return em.createQuery("select r from TowerPretraining r where r.baseSha256 = :s and r.status = :c order by r.id",
                        TowerPretraining.class).setParameter("s", baseSha256).setParameter("c", TowerPretraining.Status.COMPLETED)
                .getResultStream().findFirst();
    }
}
