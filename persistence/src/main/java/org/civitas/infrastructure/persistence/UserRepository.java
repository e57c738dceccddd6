package org.civitas.infrastructure.persistence;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.EntityManager;
import jakarta.persistence.PersistenceContext;
import org.civitas.domain.security.UserAccount;

import java.util.List;
import java.util.Optional;

/** User accounts. */
@ApplicationScoped
public class UserRepository {

    @PersistenceContext(unitName = "civitas")
    EntityManager em;

    public UserAccount add(UserAccount user) {
        return GeneratedIds.persist(em, user);
    }

    public Optional<UserAccount> user(String username) {
        return em.createQuery("select u from UserAccount u where u.username = :n", UserAccount.class)
                .setParameter("n", username).getResultStream().findFirst();
    }

    public List<UserAccount> users() {
        return em.createQuery("select u from UserAccount u order by u.username", UserAccount.class).getResultList();
    }
}
