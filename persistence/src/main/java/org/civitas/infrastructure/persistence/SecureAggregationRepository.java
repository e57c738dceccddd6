package org.civitas.infrastructure.persistence;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.EntityManager;
import jakarta.persistence.PersistenceContext;
import org.civitas.domain.federation.Round;
import org.civitas.domain.federation.SecureAggregationMember;

import java.util.List;
import java.util.Optional;

/** The members of secure-aggregation rounds. */
@ApplicationScoped
public class SecureAggregationRepository {

    @PersistenceContext(unitName = "civitas")
    EntityManager em;

    public void flush() {
        em.flush();
    }

    public SecureAggregationMember add(SecureAggregationMember member) {
        return GeneratedIds.persist(em, member);
    }

    /** The round's members, in index order once indices are given (site-code order before). */
    public List<SecureAggregationMember> members(Round round) {
        return em.createQuery("select m from SecureAggregationMember m where m.round = :r order by m.memberIndex, m.site.code",
                SecureAggregationMember.class).setParameter("r", round).getResultList();
    }

    public Optional<SecureAggregationMember> member(Round round, String siteCode) {
        return em.createQuery("select m from SecureAggregationMember m where m.round = :r and m.site.code = :s",
                SecureAggregationMember.class).setParameter("r", round).setParameter("s", siteCode).getResultStream().findFirst();
    }

    /** Whether an update with this content hash was accepted in any round (a replayed upload). */
    public Optional<String> acceptedAs(String contentSha256) {
        return em.createQuery("select u from UpdateReceipt u where u.sha256 = :h", org.civitas.domain.federation.UpdateReceipt.class)
                .setParameter("h", contentSha256).setMaxResults(1).getResultStream().findFirst()
                .map(u -> "federation " + u.getRound().getFederation().getId() + " round " + u.getRound().getNumber()
                        + " from site " + u.getSite().getCode());
    }
}
