package org.civitas.infrastructure.persistence;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.EntityManager;
import jakarta.persistence.PersistenceContext;
import org.civitas.domain.federation.UpdateReceipt;
import org.civitas.domain.quality.QualityRun;
import org.civitas.domain.retention.Erasure;
import org.civitas.domain.retention.RetentionRun;

import java.util.List;
import java.util.Optional;

/** Retention runs, what they erased, and the records whose content they judge. */
@ApplicationScoped
public class RetentionRepository {

    @PersistenceContext(unitName = "civitas")
    EntityManager em;

    public RetentionRun add(RetentionRun run) {
        return GeneratedIds.persist(em, run);
    }

    public Optional<RetentionRun> run(long id) {
        return Optional.ofNullable(em.find(RetentionRun.class, id));
    }

    /** The newest runs first. */
    public List<RetentionRun> runs(int max) {
        return em.createQuery("select r from RetentionRun r order by r.id desc", RetentionRun.class).setMaxResults(max).getResultList();
    }

    public void add(Erasure erasure) {
        em.persist(erasure);
    }

    public List<Erasure> erasures(long runId) {
        return em.createQuery("select e from Erasure e where e.runId = :r order by e.id", Erasure.class)
                .setParameter("r", runId).getResultList();
    }

    /** The update receipts whose tensors are still kept, oldest first. */
    public List<UpdateReceipt> keptUpdates() {
        return em.createQuery("select u from UpdateReceipt u join fetch u.round join fetch u.site"
                + " where u.erasedAt is null and u.storageKey is not null order by u.id", UpdateReceipt.class).getResultList();
    }

    public UpdateReceipt receiptForUpdate(long id) {
        return EntityLocks.findForUpdate(em, UpdateReceipt.class, id);
    }

    /** A site's finished quality runs whose findings are still kept, oldest first. */
    public List<QualityRun> keptQualityRuns(String siteCode) {
        return em.createQuery("select q from QualityRun q where q.siteCode = :s and q.erasedAt is null and q.finishedAt is not null"
                + " order by q.id", QualityRun.class).setParameter("s", siteCode).getResultList();
    }

    public QualityRun qualityRunForUpdate(long id) {
        return EntityLocks.findForUpdate(em, QualityRun.class, id);
    }

    /** Deletes a quality run's findings and measured items; answers how many rows went. */
    public int deleteQualityDetails(long runId) {
        int findings = em.createQuery("delete from QualityFinding f where f.runId = :r").setParameter("r", runId).executeUpdate();
        int items = em.createQuery("delete from QualityItem i where i.runId = :r").setParameter("r", runId).executeUpdate();
        return findings + items;
    }
}
