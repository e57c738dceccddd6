package org.civitas.batch.quality;

import java.util.List;

/**
 * The application service behind {@code data-quality}, implemented in the federation EJB module
 * and looked up by {@link #JNDI_NAME}. What {@link #inspect} answers is opaque to the job: it only
 * carries it to {@link #store}.
 */
public interface DataQualitySteps {

    String JNDI_NAME = "java:app/ejb-federation/DataQualityJobSteps!org.civitas.batch.quality.DataQualitySteps";

    /** The absolute path of the run's manifest, which the partitions read. */
    String manifestPath(long runId);

    /** The number of physical lines of the run's manifest. */
    int lineCount(long runId);

    /**
     * Measures one manifest line; null for a blank line. A line that is not a JSON object fails
     * the run with its line number.
     */
    Object inspect(long runId, int line, String text);

    /**
     * Stores the chunk's items in a transaction of its own, updating any stored for the same
     * lines, so that a chunk repeated after a restart rewrites its rows.
     */
    void store(long runId, List<Object> items);

    /**
     * Embeds the texts of the run's items that have none yet with the model worker, a batch at a
     * time, each batch stored as it comes (a restarted step embeds only what is left); answers
     * how many it embedded.
     */
    int embed(long runId);

    /** The checks across the dataset: findings and curated manifest at the site, the report to the coordinator. */
    String analyse(long runId);

    /** The job ended; a run that did not complete is marked failed, keeping a reason already recorded. */
    void jobEnded(long runId, String batchStatus);
}
