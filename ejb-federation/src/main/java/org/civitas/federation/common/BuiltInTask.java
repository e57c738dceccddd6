package org.civitas.federation.common;

/**
 * The dataset of the built-in feature models ({@code softmax-regression}, {@code softmax-lora}): each
 * site's feature table. A plan of those models trains on it; a plan of the multimodal model names a
 * registered task and each site's dataset version instead.
 */
public final class BuiltInTask {

    /** The feature models' dataset: each site's feature table. */
    public static final String FEATURES_DATASET = "incident-features";

    private BuiltInTask() {
    }
}
