package org.civitas.infrastructure.persistence;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.EntityManager;
import jakarta.persistence.PersistenceContext;
import org.civitas.domain.personal.PersonalHead;

import java.util.List;
import java.util.Optional;

/** A site's personal heads. */
@ApplicationScoped
public class PersonalHeadRepository {

    @PersistenceContext(unitName = "civitas")
    EntityManager em;

    public PersonalHead add(PersonalHead head) {
        return GeneratedIds.persist(em, head);
    }

    public Optional<PersonalHead> find(long id) {
        return Optional.ofNullable(em.find(PersonalHead.class, id));
    }

    public List<PersonalHead> heads(String siteCode, int max) {
        return em.createQuery("select h from PersonalHead h where h.siteCode = :s order by h.id desc", PersonalHead.class)
                .setParameter("s", siteCode).setMaxResults(max).getResultList();
    }
}
