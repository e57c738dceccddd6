package org.civitas.infrastructure.persistence;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.EntityManager;
import jakarta.persistence.PersistenceContext;
import org.civitas.domain.participant.LocalTrainingRun;

import java.util.List;
import java.util.Optional;

/** A participant's own training runs. */
@ApplicationScoped
public class LocalTrainingRunRepository {

    @PersistenceContext(unitName = "civitas")
    EntityManager em;

    public LocalTrainingRun add(LocalTrainingRun run) {
        return GeneratedIds.persist(em, run);
    }

    public Optional<LocalTrainingRun> find(String siteCode, long federationId, int roundNumber) {
        return em.createQuery("select r from LocalTrainingRun r where r.siteCode = :s and r.federationId = :f "
                        + "and r.roundNumber = :n", LocalTrainingRun.class)
                .setParameter("s", siteCode).setParameter("f", federationId).setParameter("n", roundNumber)
                .getResultStream().findFirst();
    }

    /** The site's earliest run of the federation that recorded its training manifest: the one every later round reads. */
    public Optional<LocalTrainingRun> firstWithManifest(String siteCode, long federationId) {
        return em.createQuery("select r from LocalTrainingRun r where r.siteCode = :s and r.federationId = :f "
                        + "and r.trainingManifest is not null order by r.roundNumber, r.id", LocalTrainingRun.class)
                .setParameter("s", siteCode).setParameter("f", federationId).setMaxResults(1).getResultStream().findFirst();
    }

    public Optional<LocalTrainingRun> find(long id) {
        return Optional.ofNullable(em.find(LocalTrainingRun.class, id));
    }

    /** The run locked for update until the transaction ends, so two changes to it never overwrite each other. */
    public Optional<LocalTrainingRun> findForUpdate(long id) {
        return Optional.ofNullable(EntityLocks.findForUpdate(em, LocalTrainingRun.class, id));
    }

    public List<LocalTrainingRun> recent(int max) {
        return em.createQuery("select r from LocalTrainingRun r order by r.id desc", LocalTrainingRun.class)
                .setMaxResults(max).getResultList();
    }

    /** A site's runs in a status (running ones to pause, paused ones to resume). */
    public List<LocalTrainingRun> ofSite(String siteCode, LocalTrainingRun.Status status) {
        return em.createQuery("select r from LocalTrainingRun r where r.siteCode = :s and r.status = :st order by r.id",
                LocalTrainingRun.class).setParameter("s", siteCode).setParameter("st", status).getResultList();
    }

    public List<org.civitas.domain.participant.TrainingWindow> windows(String siteCode) {
        return em.createQuery("select w from TrainingWindow w where w.siteCode = :s order by w.id",
                org.civitas.domain.participant.TrainingWindow.class).setParameter("s", siteCode).getResultList();
    }

    /** Replaces a site's windows. */
    public void replaceWindows(String siteCode, List<org.civitas.domain.participant.TrainingWindow> windows) {
        windows(siteCode).forEach(em::remove);
        em.flush();
        windows.forEach(em::persist);
    }
}
