package org.civitas.batch;

import jakarta.batch.api.BatchProperty;
import jakarta.batch.api.chunk.AbstractItemReader;
import jakarta.inject.Inject;

import java.io.BufferedReader;
import java.io.Serializable;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Reads one shard of a run's manifest, lines {@code firstLine} to {@code lastLine}. Its checkpoint
 * is the number of the last line handed out, so a restarted partition goes on after the last
 * committed chunk. A job's reader says where its run's manifest lies and what item a line is.
 */
public abstract class ManifestShardReader extends AbstractItemReader {

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

    /** The absolute path of the run's manifest. */
    protected abstract String manifestPath(long runId) throws Exception;

    /** The item of a line (numbered from 1), or null to pass the line over. */
    protected abstract Object item(int line, String text);

    @Override
    public void open(Serializable checkpoint) throws Exception {
        reader = Files.newBufferedReader(Path.of(manifestPath(Long.parseLong(runId))), StandardCharsets.UTF_8);
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
            Object item = item(at, text);
            if (item != null) {
                return item;
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
