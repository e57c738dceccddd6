package org.civitas.batch.scoring;

import jakarta.enterprise.context.Dependent;
import jakarta.inject.Named;
import org.civitas.batch.ManifestShardReader;

import javax.naming.InitialContext;

/** Reads one shard of the scoring run's manifest, leaving out blank lines. */
@Dependent
@Named("scoringManifestReader")
public class ScoringManifestReader extends ManifestShardReader {

    @Override
    protected String manifestPath(long runId) throws Exception {
        BatchScoringSteps steps = InitialContext.doLookup(BatchScoringSteps.JNDI_NAME);
        return steps.manifestPath(runId);
    }

    @Override
    protected Object item(int line, String text) {
        return text.isBlank() ? null : new ScoredLine(line, text);
    }
}
