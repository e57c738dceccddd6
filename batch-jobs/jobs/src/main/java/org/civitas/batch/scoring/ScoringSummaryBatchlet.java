package org.civitas.batch.scoring;

import jakarta.batch.api.AbstractBatchlet;
import jakarta.batch.api.BatchProperty;
import jakarta.enterprise.context.Dependent;
import jakarta.inject.Inject;
import jakarta.inject.Named;

import javax.naming.InitialContext;

/** Joins the partitions' predictions beside the manifest and writes the run's summary. */
@Dependent
@Named("scoringSummaryBatchlet")
public class ScoringSummaryBatchlet extends AbstractBatchlet {

    @Inject
    @BatchProperty
    String runId;

    @Override
    public String process() throws Exception {
        BatchScoringSteps steps = InitialContext.doLookup(BatchScoringSteps.JNDI_NAME);
        return steps.summarise(Long.parseLong(runId));
    }
}
