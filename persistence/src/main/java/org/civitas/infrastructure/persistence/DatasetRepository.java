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

    public Optional<DatasetRegistration> find(String siteCode, String name) {
        return em.createQuery("select d from DatasetRegistration d where d.site.code = :s and d.name = :n", DatasetRegistration.class)
                .setParameter("s", siteCode).setParameter("n", name).getResultStream().findFirst();
    }

    public List<DatasetRegistration> all() {
        return em.createQuery("select d from DatasetRegistration d order by d.site.code, d.name", DatasetRegistration.class)
                .getResultList();
    }
}
