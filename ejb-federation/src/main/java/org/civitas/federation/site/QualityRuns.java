package org.civitas.federation.site;

import jakarta.ejb.Stateless;
import jakarta.ejb.TransactionAttribute;
import jakarta.ejb.TransactionAttributeType;
import jakarta.inject.Inject;
import org.civitas.domain.quality.QualityRun;
import org.civitas.infrastructure.persistence.QualityRepository;

import java.time.Instant;
import java.time.Clock;

/** A site's records of its quality runs, each change in its own transaction (they outlive a failing chunk). */
@Stateless
@TransactionAttribute(TransactionAttributeType.REQUIRES_NEW)
public class QualityRuns {

    @Inject
    Clock clock;

    @Inject
    QualityRepository quality;

    @jakarta.ejb.EJB
    org.civitas.federation.common.AuditService audit;

    public QualityRun create(String siteCode, String dataset, String manifest, String thresholdsJson, int items, String requestedBy,
                             java.util.List<String> labels, java.util.Set<String> modalities) {
        QualityRun run = quality.add(new QualityRun(siteCode, dataset, manifest, thresholdsJson, items, requestedBy, clock.instant())
                .checkingLabels(labels).checkingModalities(modalities));
        audit.record(requestedBy, "dataset.quality.started", "site " + siteCode + " dataset " + dataset, items + " items, run " + run.getId());
        return run;
    }

    /**
     * A read, in the caller's transaction if it has one and in one of its own otherwise: never
     * outside a transaction, which on Payara (EclipseLink on a JTA pool) was seen to release a
     * pooled connection twice.
     */
    @TransactionAttribute(TransactionAttributeType.REQUIRED)
    public QualityRun get(long runId) {
        return quality.find(runId).orElseThrow(() -> new IllegalArgumentException("no quality run " + runId));
    }

    public void jobStarted(long runId, long executionId) {
        get(runId).jobStarted(executionId);
    }

    public void restarted(long runId, long executionId) {
        get(runId).restarted(executionId);
    }

    /** The run's measured items, read in a transaction of their own. */
    public java.util.List<org.civitas.domain.quality.QualityItem> items(long runId) {
        return quality.items(runId);
    }

    /** Stores measured items, updating those of lines already stored (a repeated chunk rewrites its rows). */
    public void storeItems(long runId, java.util.List<org.civitas.domain.quality.QualityItem> items) {
        quality.storeItems(runId, items);
    }

    /** Records a problem while the job still runs; the run fails when the job ends. */
    public void problem(long runId, String reason) {
        get(runId).problem(reason);
    }

    /** The job ended without completing; the first problem recorded is the reason shown. */
    public void failed(long runId, String reason) {
        QualityRun run = get(runId);
        if (run.getStatus() == QualityRun.Status.STARTED) {
            run.failed(reason, clock.instant());
        }
    }
}
