package org.civitas.infrastructure.persistence;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.EntityManager;
import jakarta.persistence.PersistenceContext;
import org.civitas.domain.quality.DatasetQualityReport;
import org.civitas.domain.quality.QualityFinding;
import org.civitas.domain.quality.QualityItem;
import org.civitas.domain.quality.QualityRun;

import java.util.List;
import java.util.Optional;

/** Quality runs, their measured items and findings (at a site), and the reports the coordinator received. */
@ApplicationScoped
public class QualityRepository {

    @PersistenceContext(unitName = "civitas")
    EntityManager em;

    public QualityRun add(QualityRun run) {
        return GeneratedIds.persist(em, run);
    }

    public Optional<QualityRun> find(long id) {
        return Optional.ofNullable(em.find(QualityRun.class, id));
    }

    public List<QualityRun> runs(String siteCode, int max) {
        return em.createQuery("select r from QualityRun r where r.siteCode = :s order by r.id desc", QualityRun.class)
                .setParameter("s", siteCode).setMaxResults(max).getResultList();
    }

    /** The site's newest completed run over a dataset: its curated manifest is what training reads. */
    public Optional<QualityRun> latestCompleted(String siteCode, String datasetName) {
        return em.createQuery("select r from QualityRun r where r.siteCode = :s and r.datasetName = :d and r.status = :c "
                        + "order by r.id desc", QualityRun.class)
                .setParameter("s", siteCode).setParameter("d", datasetName).setParameter("c", QualityRun.Status.COMPLETED)
                .setMaxResults(1).getResultStream().findFirst();
    }

    /**
     * Stores items: a line the run has already is updated in place, a new one is inserted. A
     * repeated chunk thus rewrites its rows, and the run's count of items never drops meanwhile.
     */
    public void storeItems(long runId, List<QualityItem> items) {
        if (items.isEmpty()) {
            return;
        }
        java.util.Map<Integer, QualityItem> existing = new java.util.HashMap<>();
        em.createQuery("select i from QualityItem i where i.runId = :r and i.line in :lines", QualityItem.class).setParameter("r", runId)
                .setParameter("lines", items.stream().map(QualityItem::getLine).toList()).getResultList()
                .forEach(i -> existing.put(i.getLine(), i));
        for (QualityItem item : items) {
            QualityItem stored = existing.get(item.getLine());
            if (stored != null) {
                stored.remeasured(item.getFeatures());
            } else {
                em.persist(item);
            }
        }
    }

    public long itemCount(long runId) {
        return em.createQuery("select count(i) from QualityItem i where i.runId = :r", Long.class).setParameter("r", runId).getSingleResult();
    }

    public List<QualityItem> items(long runId) {
        return em.createQuery("select i from QualityItem i where i.runId = :r order by i.line", QualityItem.class)
                .setParameter("r", runId).getResultList();
    }

    public void addFinding(QualityFinding finding) {
        em.persist(finding);
    }

    public void deleteFindings(long runId) {
        em.createQuery("delete from QualityFinding f where f.runId = :r").setParameter("r", runId).executeUpdate();
    }

    public List<QualityFinding> findings(long runId) {
        return em.createQuery("select f from QualityFinding f where f.runId = :r order by f.line, f.check", QualityFinding.class)
                .setParameter("r", runId).getResultList();
    }

    public DatasetQualityReport addReport(DatasetQualityReport report) {
        return GeneratedIds.persist(em, report);
    }

    public Optional<DatasetQualityReport> report(long id) {
        return Optional.ofNullable(em.find(DatasetQualityReport.class, id));
    }

    public List<DatasetQualityReport> reports(String siteCode, String datasetName) {
        return em.createQuery("select r from DatasetQualityReport r where r.dataset.site.code = :s and r.dataset.name = :d "
                        + "order by r.id desc", DatasetQualityReport.class)
                .setParameter("s", siteCode).setParameter("d", datasetName).getResultList();
    }

    /** The newest quality report on exactly this dataset version. */
    public Optional<DatasetQualityReport> latestReport(long datasetRegistrationId) {
        return em.createQuery("select r from DatasetQualityReport r where r.dataset.id = :d order by r.id desc", DatasetQualityReport.class)
                .setParameter("d", datasetRegistrationId).setMaxResults(1).getResultStream().findFirst();
    }

    public List<DatasetQualityReport> allReports() {
        return em.createQuery("select r from DatasetQualityReport r order by r.id desc", DatasetQualityReport.class).getResultList();
    }
}
