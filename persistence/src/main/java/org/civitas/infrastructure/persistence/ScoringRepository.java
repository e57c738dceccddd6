package org.civitas.infrastructure.persistence;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.EntityManager;
import jakarta.persistence.PersistenceContext;
import org.civitas.domain.scoring.ScoringPartition;
import org.civitas.domain.scoring.ScoringRun;

import java.util.List;
import java.util.Optional;

/** A site's batch-scoring runs and their partitions' progress. */
@ApplicationScoped
public class ScoringRepository {

    @PersistenceContext(unitName = "civitas")
    EntityManager em;

    public ScoringRun add(ScoringRun run) {
        return GeneratedIds.persist(em, run);
    }

    public Optional<ScoringRun> find(long id) {
        return Optional.ofNullable(em.find(ScoringRun.class, id));
    }

    public List<ScoringRun> runs(String siteCode, int max) {
        return em.createQuery("select r from ScoringRun r where r.siteCode = :s order by r.id desc", ScoringRun.class)
                .setParameter("s", siteCode).setMaxResults(max).getResultList();
    }

    /** The site's runs in that state, oldest first. */
    public List<ScoringRun> runs(String siteCode, ScoringRun.Status status) {
        return em.createQuery("select r from ScoringRun r where r.siteCode = :s and r.status = :st order by r.id", ScoringRun.class)
                .setParameter("s", siteCode).setParameter("st", status).getResultList();
    }

    /** Sets a partition's count of written lines. */
    public void linesDone(long runId, int partition, int lines) {
        ScoringPartition row = em.find(ScoringPartition.class, new ScoringPartition.Key(runId, partition));
        if (row == null) {
            em.persist(new ScoringPartition(runId, partition, lines));
        } else {
            row.linesDone(lines);
        }
    }

    /** The lines the run's partitions have written so far. */
    public long linesDone(long runId) {
        Long sum = em.createQuery("select sum(p.linesDone) from ScoringPartition p where p.runId = :r", Long.class)
                .setParameter("r", runId).getSingleResult();
        return sum == null ? 0 : sum;
    }
}
