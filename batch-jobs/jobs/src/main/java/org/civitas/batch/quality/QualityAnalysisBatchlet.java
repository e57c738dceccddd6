package org.civitas.batch.quality;

import jakarta.batch.api.AbstractBatchlet;
import jakarta.batch.api.BatchProperty;
import jakarta.batch.runtime.context.StepContext;
import jakarta.enterprise.context.Dependent;
import jakarta.inject.Inject;
import jakarta.inject.Named;

import javax.naming.InitialContext;

/** The step after the partitions: the checks across the whole dataset. */
@Dependent
@Named("qualityAnalysisBatchlet")
public class QualityAnalysisBatchlet extends AbstractBatchlet {

    @Inject
    @BatchProperty
    String runId;

    @Inject
    StepContext stepContext;

    @Override
    public String process() throws Exception {
        DataQualitySteps steps = InitialContext.doLookup(DataQualitySteps.JNDI_NAME);
        stepContext.setExitStatus(steps.analyse(Long.parseLong(runId)));
        return "COMPLETED";
    }
}
