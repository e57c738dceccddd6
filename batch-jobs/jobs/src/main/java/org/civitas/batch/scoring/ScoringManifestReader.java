package org.civitas.batch.scoring;

import jakarta.batch.api.BatchProperty;
import jakarta.batch.api.chunk.AbstractItemReader;
import jakarta.enterprise.context.Dependent;
import jakarta.inject.Inject;
import jakarta.inject.Named;

import javax.naming.InitialContext;
import java.io.BufferedReader;
import java.io.Serializable;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Reads one shard of the manifest, lines {@code firstLine} to {@code lastLine}, leaving out blank
 * ones. Its checkpoint is the number of the last line handed out, so a restarted partition goes on
 * after the last committed chunk.
 */
@Dependent
@Named("scoringManifestReader")
public class ScoringManifestReader extends AbstractItemReader {

    @Inject
    @BatchProperty
    String runId;

    @Inject
    @BatchProperty
    String firstLine;

    @Inject
    @BatchProperty
    String lastLine;

    private BufferedReader reader;
    private int at;
    private int last;

    @Override
    public void open(Serializable checkpoint) throws Exception {
        BatchScoringSteps steps = InitialContext.doLookup(BatchScoringSteps.JNDI_NAME);
        reader = Files.newBufferedReader(Path.of(steps.manifestPath(Long.parseLong(runId))), StandardCharsets.UTF_8);
        last = Integer.parseInt(lastLine);
        int skipTo = checkpoint == null ? Integer.parseInt(firstLine) - 1 : (Integer) checkpoint;
        for (at = 0; at < skipTo; at++) {
            if (reader.readLine() == null) {
                break;
            }
        }
    }

    @Override
    public Object readItem() throws Exception {
        while (at < last) {
            String text = reader.readLine();
            if (text == null) {
                return null;
            }
            at++;
            if (!text.isBlank()) {
                return new ScoredLine(at, text);
            }
        }
        return null;
    }

    @Override
    public Serializable checkpointInfo() {
        return at;
    }

    @Override
    public void close() throws Exception {
        if (reader != null) {
            reader.close();
        }
    }
}
