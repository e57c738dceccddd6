package org.civitas.infrastructure.persistence;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.EntityManager;
import jakarta.persistence.PersistenceContext;
import org.civitas.domain.contribution.ContributionValue;

import java.util.List;

/** Contribution values per round. */
@ApplicationScoped
public class ContributionRepository {

    @PersistenceContext(unitName = "civitas")
    EntityManager em;

    public ContributionValue add(ContributionValue value) {
        return GeneratedIds.persist(em, value);
    }

    public boolean valued(long roundId) {
        return em.createQuery("select count(c) from ContributionValue c where c.round.id = :r", Long.class)
                .setParameter("r", roundId).getSingleResult() > 0;
    }

    public List<ContributionValue> ofRound(long roundId) {
        return em.createQuery("select c from ContributionValue c where c.round.id = :r order by c.site.code", ContributionValue.class)
                .setParameter("r", roundId).getResultList();
    }

    public List<ContributionValue> ofFederation(long federationId) {
        return em.createQuery("select c from ContributionValue c where c.round.federation.id = :f "
                + "order by c.round.number, c.site.code", ContributionValue.class).setParameter("f", federationId).getResultList();
    }
}
