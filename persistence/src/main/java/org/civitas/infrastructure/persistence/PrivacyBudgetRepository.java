package org.civitas.infrastructure.persistence;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.EntityManager;
import jakarta.persistence.LockModeType;
import jakarta.persistence.PersistenceContext;
import org.civitas.domain.privacy.PrivacyBudget;
import org.civitas.domain.privacy.PrivacySpend;

import java.util.List;
import java.util.Optional;

/** Privacy budgets and the spends against them. */
@ApplicationScoped
public class PrivacyBudgetRepository {

    @PersistenceContext(unitName = "civitas")
    EntityManager em;

    public PrivacyBudget add(PrivacyBudget budget) {
        return GeneratedIds.persist(em, budget);
    }

    public Optional<PrivacyBudget> budget(String enterpriseCode, String dataset) {
        return em.createQuery("select b from PrivacyBudget b where b.enterprise.code = :e and b.datasetName = :d", PrivacyBudget.class)
                .setParameter("e", enterpriseCode).setParameter("d", dataset).getResultStream().findFirst();
    }

    /** The budget locked for the rest of the transaction, so two rounds cannot spend it on the same reading. */
    public Optional<PrivacyBudget> budgetForSpend(String enterpriseCode, String dataset) {
        return em.createQuery("select b from PrivacyBudget b where b.enterprise.code = :e and b.datasetName = :d", PrivacyBudget.class)
                .setParameter("e", enterpriseCode).setParameter("d", dataset)
                .setLockMode(LockModeType.PESSIMISTIC_WRITE).getResultStream().findFirst();
    }

    public List<PrivacyBudget> budgets() {
        return em.createQuery("select b from PrivacyBudget b order by b.enterprise.code, b.datasetName", PrivacyBudget.class)
                .getResultList();
    }

    public List<PrivacySpend> spends(PrivacyBudget budget) {
        return em.createQuery("select s from PrivacySpend s where s.budget = :b order by s.id", PrivacySpend.class)
                .setParameter("b", budget).getResultList();
    }

    public PrivacySpend add(PrivacySpend spend) {
        return GeneratedIds.persist(em, spend);
    }
}
