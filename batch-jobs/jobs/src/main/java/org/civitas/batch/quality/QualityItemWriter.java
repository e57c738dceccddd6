package org.civitas.batch.quality;

import jakarta.batch.api.BatchProperty;
import jakarta.batch.api.chunk.AbstractItemWriter;
import jakarta.enterprise.context.Dependent;
import jakarta.inject.Inject;
import jakarta.inject.Named;

import javax.naming.InitialContext;
import java.util.List;

/**
 * Stores a chunk's measured items. The service writes them in a transaction of its own (see
 * {@link DataQualitySteps#store}): the chunk's transaction holds the reader's checkpoint only.
 */
@Dependent
@Named("qualityItemWriter")
public class QualityItemWriter extends AbstractItemWriter {

    @Inject
    @BatchProperty
    String runId;

    @Override
    public void writeItems(List<Object> items) throws Exception {
        DataQualitySteps steps = InitialContext.doLookup(DataQualitySteps.JNDI_NAME);
        steps.store(Long.parseLong(runId), items);
    }
}
