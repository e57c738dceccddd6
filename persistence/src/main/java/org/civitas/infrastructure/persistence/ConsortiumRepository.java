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
        return GeneratedIds.persist(em, enterprise);
    }

    public Site add(Site site) {
        return GeneratedIds.persist(em, site);
    }

    /** Records the nonce of an accepted update; false when the site already used it for the round (a replay). */
    public boolean recordNonce(String siteCode, long federationId, int round, String nonce, java.time.Instant now) {
        Number used = (Number) em.createNativeQuery("select count(*) from update_nonce where site_code = ?1 and federation_id = ?2"
                        + " and round_number = ?3 and nonce = ?4")
                .setParameter(1, siteCode).setParameter(2, federationId).setParameter(3, round).setParameter(4, nonce).getSingleResult();
        if (used.longValue() > 0) {
            return false;
        }
        em.createNativeQuery("insert into update_nonce (site_code, federation_id, round_number, nonce, received_at) values (?1, ?2, ?3, ?4, ?5)")
                .setParameter(1, siteCode).setParameter(2, federationId).setParameter(3, round).setParameter(4, nonce)
                .setParameter(5, java.sql.Timestamp.from(now)).executeUpdate();
        return true;
    }
}
