package org.civitas.infrastructure.persistence;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.EntityManager;
import jakarta.persistence.PersistenceContext;
import org.civitas.domain.dataset.DatasetRegistration;

import java.util.List;
import java.util.Optional;

/** Registered datasets. */
@ApplicationScoped
public class DatasetRepository {

    @PersistenceContext(unitName = "civitas")
    EntityManager em;

    public DatasetRegistration add(DatasetRegistration registration) {
        return GeneratedIds.persist(em, registration);
    }

    /** The newest version of a site's dataset of that name. */
    public Optional<DatasetRegistration> find(String siteCode, String name) {
        return em.createQuery("select d from DatasetRegistration d where d.site.code = :s and d.name = :n order by d.version desc",
                DatasetRegistration.class).setParameter("s", siteCode).setParameter("n", name).setMaxResults(1).getResultStream().findFirst();
    }

    /** The version of a site's dataset with exactly this content. */
    public Optional<DatasetRegistration> find(String siteCode, String name, String contentSha256) {
        return em.createQuery("select d from DatasetRegistration d where d.site.code = :s and d.name = :n and d.contentSha256 = :h",
                DatasetRegistration.class).setParameter("s", siteCode).setParameter("n", name).setParameter("h", contentSha256)
                .getResultStream().findFirst();
    }

    public List<DatasetRegistration> all() {
        return em.createQuery("select d from DatasetRegistration d order by d.site.code, d.name, d.version", DatasetRegistration.class)
                .getResultList();
    }
}
