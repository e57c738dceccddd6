package org.civitas.federation.protocol;

import java.util.Map;

/**
 * What a site tells the coordinator about a dataset, and all it tells: aggregates of the manifest.
 *
 * @param skippedLines manifest lines the site left out as invalid
 * @param task         the task whose labels the dataset carries; null for the built-in feature table
 * @param taskVersion  that task's version
 */
public record DatasetMetadata(String name, Integer samples, Integer images, Integer texts, Integer labeled,
                              Map<String, Integer> labelHistogram, Integer skippedLines, String contentSha256, String task,
                              Integer taskVersion) {
}
