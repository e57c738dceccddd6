package org.civitas.batch.scoring;

import java.util.List;

/**
 * The application service behind {@code batch-scoring}, implemented in the federation EJB module
 * and looked up by {@link #JNDI_NAME}.
 */
public interface BatchScoringSteps {

    String JNDI_NAME = "java:app/ejb-federation/BatchScoringJobSteps!org.civitas.batch.scoring.BatchScoringSteps";

    /** The absolute path of the run's manifest, which the partitions read. */
    String manifestPath(long runId);

    /** The number of physical lines of the run's manifest. */
    int lineCount(long runId);

    /** The physical lines a partition reads. */
    int shardLines(long runId);

    /** The absolute path of the file a partition writes its predictions to, before they are joined. */
    String partPath(long runId, int partition);

    /**
     * Scores a chunk of manifest lines (blank lines never come) with the run's model version, one
     * JSON line each, in order. A line that cannot be scored fails the run, naming the line.
     */
    List<String> score(long runId, List<ScoredLine> lines);

    /** The partition has written that many lines in all. */
    void progress(long runId, int partition, int lines);

    /** Joins the partitions' files beside the manifest, writes the summary and completes the run; answers the summary line. */
    String summarise(long runId);

    /** The job ended; a run that did not complete is marked failed, unless its window closed and it waits for the next. */
    void jobEnded(long runId, String batchStatus);
}
