package org.civitas.batch.scoring;

import jakarta.batch.api.BatchProperty;
import jakarta.batch.api.chunk.AbstractItemWriter;
import jakarta.enterprise.context.Dependent;
import jakarta.inject.Inject;
import jakarta.inject.Named;

import javax.naming.InitialContext;
import java.io.IOException;
import java.io.Serializable;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;

/**
 * Scores a chunk and appends its predictions to the partition's own file. Its checkpoint is the
 * file's length and line count after the chunk: a restarted partition first cuts the file back to
 * the last committed chunk, so a chunk whose lines were written but whose checkpoint was not is
 * written again once, never twice, and no committed line is lost.
 */
@Dependent
@Named("scoringItemWriter")
public class ScoringItemWriter extends AbstractItemWriter {

    @Inject
    @BatchProperty
    String runId;

    @Inject
    @BatchProperty
    String partition;

    private BatchScoringSteps steps;
    private FileChannel out;
    /** Bytes and lines of the file, both as of the last chunk written (a primitive array: any class loader reads it back). */
    private long[] written;

    @Override
    public void open(Serializable checkpoint) throws Exception {
        steps = InitialContext.doLookup(BatchScoringSteps.JNDI_NAME);
        Path file = Path.of(steps.partPath(Long.parseLong(runId), Integer.parseInt(partition)));
        Files.createDirectories(file.getParent());
        out = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
        written = checkpoint == null ? new long[] {0, 0} : ((long[]) checkpoint).clone();
        if (out.size() < written[0]) {
            throw new IOException(file + " holds " + out.size() + " bytes, fewer than the " + written[0] + " its last chunk left");
        }
        out.truncate(written[0]);
        out.position(written[0]);
    }

    @Override
    public void writeItems(List<Object> items) throws Exception {
        long run = Long.parseLong(runId);
        List<String> scored = steps.score(run, items.stream().map(ScoredLine.class::cast).toList());
        StringBuilder lines = new StringBuilder();
        for (String line : scored) {
            lines.append(line).append('\n');
        }
        ByteBuffer bytes = ByteBuffer.wrap(lines.toString().getBytes(StandardCharsets.UTF_8));
        while (bytes.hasRemaining()) {
            out.write(bytes);
        }
        // On disk before the checkpoint that counts them commits.
        out.force(false);
        written = new long[] {out.position(), written[1] + scored.size()};
        steps.progress(run, Integer.parseInt(partition), (int) written[1]);
    }

    @Override
    public Serializable checkpointInfo() {
        return written.clone();
    }

    @Override
    public void close() throws Exception {
        if (out != null) {
            out.close();
        }
    }
}
