package org.civitas.batch.scoring;

import jakarta.batch.api.BatchProperty;
import jakarta.batch.api.listener.AbstractJobListener;
import jakarta.batch.runtime.context.JobContext;
import jakarta.enterprise.context.Dependent;
import jakarta.inject.Inject;
import jakarta.inject.Named;

import javax.naming.InitialContext;

/** Tells the run how its job ended, so that a failed job shows as such and a stopped one as paused. */
@Dependent
@Named("scoringJobListener")
public class ScoringJobListener extends AbstractJobListener {

    @Inject
    @BatchProperty
    String runId;

    @Inject
    JobContext jobContext;

    @Override
    public void afterJob() throws Exception {
        BatchScoringSteps steps = InitialContext.doLookup(BatchScoringSteps.JNDI_NAME);
        steps.jobEnded(Long.parseLong(runId), String.valueOf(jobContext.getBatchStatus()));
    }
}
