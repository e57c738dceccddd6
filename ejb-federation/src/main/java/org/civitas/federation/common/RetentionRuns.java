package org.civitas.federation.common;

import jakarta.batch.runtime.BatchRuntime;
import jakarta.ejb.EJB;
import jakarta.ejb.Schedule;
import jakarta.ejb.Stateless;
import jakarta.ejb.TransactionAttribute;
import jakarta.ejb.TransactionAttributeType;
import org.civitas.domain.retention.RetentionRun;
import org.civitas.domain.security.Role;

import java.time.Instant;
import java.util.Properties;
import java.util.logging.Logger;

/**
 * Starts the {@code data-retention} job: every night on its own, and when an operator, an
 * administrator or a compliance officer asks (as of now, or as of a later instant to erase early).
 */
@Stateless
@TransactionAttribute(TransactionAttributeType.NOT_SUPPORTED)
public class RetentionRuns {

    static final String JOB = "data-retention";

    private static final Logger LOG = Logger.getLogger(RetentionRuns.class.getName());

    @EJB
    RetentionRecords records;

    /** Nightly, at every server: what no agreement allows to keep any longer goes. */
    @Schedule(hour = "3", minute = "17", persistent = false)
    void nightly() {
        RetentionRecords.RunView run = start(Caller.SYSTEM, null);
        LOG.info(() -> "Retention run " + run.id() + " started as of " + run.asOf());
    }

    /** Whether the caller may start runs: an IT operator, an administrator or a compliance officer. */
    public boolean mayRun(Caller caller) {
        return caller.has(Role.IT_OPERATOR) || caller.has(Role.CONSORTIUM_ADMIN) || caller.has(Role.COMPLIANCE_OFFICER);
    }

    /** Starts a run as of {@code asOf} (null: now); the run's record shows its progress and what it erased. */
    public RetentionRecords.RunView start(Caller caller, Instant asOf) {
        caller.require("run the retention job", Role.IT_OPERATOR, Role.CONSORTIUM_ADMIN, Role.COMPLIANCE_OFFICER);
        // Committed before the job starts, so that the job finds it.
        RetentionRun run = records.create(asOf, caller.username());
        Properties params = new Properties();
        params.setProperty("runId", Long.toString(run.getId()));
        records.executionIs(run.getId(), BatchRuntime.getJobOperator().start(JOB, params));
        return records.view(run.getId());
    }
}
