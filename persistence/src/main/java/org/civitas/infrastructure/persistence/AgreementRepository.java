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
}
