package org.civitas.federation.common;

import jakarta.ejb.EJB;
import jakarta.ejb.Local;
import jakarta.ejb.LocalBean;
import jakarta.ejb.Stateless;
import jakarta.inject.Inject;
import org.civitas.batch.retention.RetentionRunSteps;
import org.civitas.domain.retention.Erasure;
import org.civitas.domain.retention.RetentionRun;
import org.civitas.infrastructure.persistence.RetentionRepository;

import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Locale;

/**
 * The records of retention runs: each run, each thing it erased (also written to the audit chain
 * with its SHA-256, so what went can be proven without keeping it), and how the run ended.
 */
@Stateless
@LocalBean
@Local(RetentionRunSteps.class)
public class RetentionRecords implements RetentionRunSteps {

    /**
     * Something the retention of an agreement no longer allows to keep: where ({@code coordinator} or
     * a site), what kind, which one ({@code subject}), its SHA-256 and size, the agreement and its
     * retention, and when the retention ran out. {@code ref} locates it for the eraser (a receipt id,
     * a file, a quality run id).
     */
    public record Due(String place, String kind, String subject, String sha256, long sizeBytes, long agreement, int retentionDays,
                      Instant expiredAt, String ref) {
    }

    public record ErasureView(String place, String kind, String subject, String sha256, long sizeBytes, long agreement,
                              int retentionDays, Instant erasedAt) {
    }

    public record RunView(long id, Instant asOf, String requestedBy, String status, Long jobExecutionId, Instant startedAt,
                          Instant finishedAt, String message, List<ErasureView> erased) {
    }

    @Inject
    Clock clock;

    @Inject
    RetentionRepository retention;

    @EJB
    AuditService audit;

    public RetentionRun create(Instant asOf, String requestedBy) {
        Instant now = clock.instant();
        try {
            return retention.add(new RetentionRun(asOf == null ? now : asOf, requestedBy, now));
        } catch (IllegalArgumentException e) {
            throw new InvalidRequestException(e.getMessage());
        }
    }

    public void executionIs(long runId, long executionId) {
        find(runId).jobStarted(executionId);
    }

    public RetentionRun run(long runId) {
        return find(runId);
    }

    /** Records one erased thing in the run and in the audit chain, in the caller's transaction. */
    public void erased(long runId, Due due) {
        RetentionRun run = find(runId);
        Instant now = clock.instant();
        retention.add(new Erasure(runId, due.place(), due.kind(), due.subject(), due.sha256(), due.sizeBytes(), due.agreement(),
                due.retentionDays(), now));
        audit.record(run.getRequestedBy(), "retention.erased", due.place().equals("coordinator") ? "coordinator" : "site " + due.place(),
                String.format(Locale.ROOT, "%s %s: sha256 %s, %d bytes; retention of %d days under agreement %d ran out %s (run %d)",
                        due.kind(), due.subject(), due.sha256(), due.sizeBytes(), due.retentionDays(), due.agreement(), due.expiredAt(),
                        runId));
    }

    @Override
    public void jobEnded(long runId, String batchStatus) {
        RetentionRun run = find(runId);
        boolean completed = "COMPLETED".equals(batchStatus);
        long erased = retention.erasures(runId).size();
        run.finished(completed, completed ? "erased " + erased + " things" : "the job ended " + batchStatus + " after erasing " + erased
                + " things", clock.instant());
        audit.record(run.getRequestedBy(), "retention." + (completed ? "completed" : "failed"), "retention run " + runId,
                run.getMessage() + " as of " + run.getAsOf());
    }

    public List<RunView> runs() {
        return retention.runs(50).stream().map(this::view).toList();
    }

    public RunView view(long runId) {
        return view(find(runId));
    }

    private RunView view(RetentionRun r) {
        return new RunView(r.getId(), r.getAsOf(), r.getRequestedBy(), r.getStatus().name(), r.getJobExecutionId(), r.getStartedAt(),
                r.getFinishedAt(), r.getMessage(), retention.erasures(r.getId()).stream().map(e -> new ErasureView(e.getPlace(), e.getKind(),
                        e.getSubject(), e.getSha256(), e.getSizeBytes(), e.getAgreementId(), e.getRetentionDays(), e.getErasedAt())).toList());
    }

    private RetentionRun find(long runId) {
        return retention.run(runId).orElseThrow(() -> new NotFoundException("retention run " + runId + " does not exist"));
    }
}
