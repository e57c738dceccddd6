package org.civitas.batch.quality;

import jakarta.batch.api.BatchProperty;
import jakarta.batch.api.chunk.ItemProcessor;
import jakarta.enterprise.context.Dependent;
import jakarta.inject.Inject;
import jakarta.inject.Named;

import javax.naming.InitialContext;

/** Measures one manifest line; a blank line is left out. */
@Dependent
@Named("qualityItemProcessor")
public class QualityItemProcessor implements ItemProcessor {

    @Inject
    @BatchProperty
    String runId;

    private DataQualitySteps steps;

    @Override
    public Object processItem(Object item) throws Exception {
        if (steps == null) {
            steps = InitialContext.doLookup(DataQualitySteps.JNDI_NAME);
        }
        ManifestLine line = (ManifestLine) item;
        return steps.inspect(Long.parseLong(runId), line.number(), line.text());
    }
}
