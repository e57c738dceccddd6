package org.civitas.infrastructure.persistence;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.EntityManager;
import jakarta.persistence.PersistenceContext;
import org.civitas.domain.consortium.Enterprise;
import org.civitas.domain.consortium.Site;

import java.util.List;
import java.util.Optional;

/** Enterprises and sites. */
@ApplicationScoped
public class ConsortiumRepository {

    @PersistenceContext(unitName = "civitas")
    EntityManager em;

    public Optional<Enterprise> enterprise(String code) {
        return em.createQuery("select e from Enterprise e where e.code = :code", Enterprise.class)
                .setParameter("code", code).getResultStream().findFirst();
    }

    public Optional<Site> site(String code) {
        return em.createQuery("select s from Site s where s.code = :code", Site.class)
                .setParameter("code", code).getResultStream().findFirst();
    }

    public List<Enterprise> enterprises() {
        return em.createQuery("select e from Enterprise e order by e.code", Enterprise.class).getResultList();
    }

    public List<Site> sites() {
        return em.createQuery("select s from Site s order by s.code", Site.class).getResultList();
    }

    public Enterprise add(Enterprise enterprise) {
        em.persist(enterprise);
        return enterprise;
    }

    public Site add(Site site) {
        em.persist(site);
        return site;
    }
}
