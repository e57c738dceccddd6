package org.civitas.batch.quality;

import jakarta.batch.api.AbstractBatchlet;
import jakarta.batch.api.BatchProperty;
import jakarta.batch.runtime.context.StepContext;
import jakarta.enterprise.context.Dependent;
import jakarta.inject.Inject;
import jakarta.inject.Named;

import javax.naming.InitialContext;

/**
 * The step between the partitions and the analysis: the items' texts embedded by the model
 * worker. A batchlet, not part of the chunks, because the worker may be busy training for longer
 * than a chunk's transaction may last.
 */
@Dependent
@Named("qualityEmbeddingBatchlet")
public class QualityEmbeddingBatchlet extends AbstractBatchlet {

    @Inject
    @BatchProperty
    String runId;

    @Inject
    StepContext stepContext;

    @Override
    public String process() throws Exception {
        DataQualitySteps steps = InitialContext.doLookup(DataQualitySteps.JNDI_NAME);
        stepContext.setExitStatus("embedded " + steps.embed(Long.parseLong(runId)) + " texts");
        return "COMPLETED";
    }
}
