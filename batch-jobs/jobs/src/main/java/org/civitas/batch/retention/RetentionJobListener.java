package org.civitas.batch.retention;

import jakarta.batch.api.BatchProperty;
import jakarta.batch.api.listener.AbstractJobListener;
import jakarta.batch.runtime.context.JobContext;
import jakarta.enterprise.context.Dependent;
import jakarta.inject.Inject;
import jakarta.inject.Named;

import javax.naming.InitialContext;

/** Tells the retention run how its job ended, so that a failed run shows as such. */
@Dependent
@Named("retentionJobListener")
public class RetentionJobListener extends AbstractJobListener {

    @Inject
    @BatchProperty
    String runId;

    @Inject
    JobContext jobContext;

    @Override
    public void afterJob() throws Exception {
        RetentionRunSteps steps = InitialContext.doLookup(RetentionRunSteps.JNDI_NAME);
        steps.jobEnded(Long.parseLong(runId), String.valueOf(jobContext.getBatchStatus()));
    }
}
