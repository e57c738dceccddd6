package org.civitas.federation.common;

/**
 * The built-in tasks' datasets, by name: the city-safety images and reports the multimodal model
 * trains on, and the incident-features table of the feature models. A plan's model kind chooses
 * one (see the coordinator's {@code FederationService.trainingDataset}); a site trains on its
 * dataset of that name.
 */
public final class BuiltInTask {

    /** The multimodal task, as every coordinator registers it ({@code coordinator.BuiltInTasks}). */
    public static final String TASK = "city-safety";

    /** The multimodal task's dataset. */
    public static final String DATASET = "city-safety";

    /** Where a site keeps that dataset's manifest, inside its folder. */
    public static final String MANIFEST = "datasets/" + DATASET + "/train.jsonl";

    /** The feature models' dataset: each site's feature table. */
    public static final String FEATURES_DATASET = "incident-features";

    private BuiltInTask() {
    }
}
