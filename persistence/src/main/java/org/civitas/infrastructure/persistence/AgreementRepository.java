package org.civitas.infrastructure.persistence;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.EntityManager;
import jakarta.persistence.PersistenceContext;
import org.civitas.domain.governance.DataSharingAgreement;

import java.util.List;
import java.util.Optional;

/** Data-sharing agreements, every version. */
@ApplicationScoped
public class AgreementRepository {

    @PersistenceContext(unitName = "civitas")
    EntityManager em;

    public DataSharingAgreement add(DataSharingAgreement agreement) {
        return GeneratedIds.persist(em, agreement);
    }

    public Optional<DataSharingAgreement> agreement(long id) {
        return Optional.ofNullable(em.find(DataSharingAgreement.class, id));
    }

    public Optional<DataSharingAgreement> agreementForUpdate(long id) {
        return Optional.ofNullable(EntityLocks.findForUpdate(em, DataSharingAgreement.class, id));
    }

    public List<DataSharingAgreement> agreements() {
        return em.createQuery("select a from DataSharingAgreement a order by a.id desc", DataSharingAgreement.class).getResultList();
    }

    public List<DataSharingAgreement> forPlan(String planSha256) {
        return em.createQuery("select a from DataSharingAgreement a where a.planSha256 = :h order by a.id", DataSharingAgreement.class)
                .setParameter("h", planSha256).getResultList();
    }

    public List<DataSharingAgreement> series(String series) {
        return em.createQuery("select a from DataSharingAgreement a where a.series = :s order by a.seriesVersion",
                DataSharingAgreement.class).setParameter("s", series).getResultList();
    }

    public org.civitas.domain.governance.ContributionWithdrawal add(org.civitas.domain.governance.ContributionWithdrawal withdrawal) {
        return GeneratedIds.persist(em, withdrawal);
    }

    public Optional<org.civitas.domain.governance.ContributionWithdrawal> withdrawal(long id) {
        return Optional.ofNullable(em.find(org.civitas.domain.governance.ContributionWithdrawal.class, id));
    }

    public Optional<org.civitas.domain.governance.ContributionWithdrawal> withdrawalForUpdate(long id) {
        return Optional.ofNullable(EntityLocks.findForUpdate(em, org.civitas.domain.governance.ContributionWithdrawal.class, id));
    }

    /** The withdrawals asked for under one agreement, newest first. */
    public List<org.civitas.domain.governance.ContributionWithdrawal> withdrawalsOf(long agreementId) {
        return em.createQuery("select w from ContributionWithdrawal w where w.agreement.id = :id order by w.id desc",
                org.civitas.domain.governance.ContributionWithdrawal.class).setParameter("id", agreementId).getResultList();
    }

    /** Every withdrawal, newest first. */
    public List<org.civitas.domain.governance.ContributionWithdrawal> withdrawals() {
        return em.createQuery("select w from ContributionWithdrawal w order by w.id desc",
                org.civitas.domain.governance.ContributionWithdrawal.class).getResultList();
    }
}
