package org.civitas.batch.quality;

import jakarta.batch.api.BatchProperty;
import jakarta.batch.api.listener.AbstractJobListener;
import jakarta.batch.runtime.context.JobContext;
import jakarta.enterprise.context.Dependent;
import jakarta.inject.Inject;
import jakarta.inject.Named;

import javax.naming.InitialContext;

/** Tells the run how its job ended, so that a failed or stopped job shows as such. */
@Dependent
@Named("qualityJobListener")
public class QualityJobListener extends AbstractJobListener {

    @Inject
    @BatchProperty
    String runId;

    @Inject
    JobContext jobContext;

    @Override
    public void afterJob() throws Exception {
        DataQualitySteps steps = InitialContext.doLookup(DataQualitySteps.JNDI_NAME);
        steps.jobEnded(Long.parseLong(runId), String.valueOf(jobContext.getBatchStatus()));
    }
}
