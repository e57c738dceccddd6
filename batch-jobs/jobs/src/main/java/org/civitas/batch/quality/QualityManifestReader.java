package org.civitas.batch.quality;

import jakarta.enterprise.context.Dependent;
import jakarta.inject.Named;
import org.civitas.batch.ManifestShardReader;

import javax.naming.InitialContext;

/** Reads one shard of the quality run's manifest; every line, blank ones included, is an item (the processor passes blanks over). */
@Dependent
@Named("qualityManifestReader")
public class QualityManifestReader extends ManifestShardReader {

    @Override
    protected String manifestPath(long runId) throws Exception {
        DataQualitySteps steps = InitialContext.doLookup(DataQualitySteps.JNDI_NAME);
        return steps.manifestPath(runId);
    }

    @Override
    protected Object item(int line, String text) {
        return new ManifestLine(line, text);
    }
}
