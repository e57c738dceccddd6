package org.civitas.federation.application;

import java.util.List;

/**
 * What a caller may say when starting a federation; every field is optional and falls back to the
 * demo plan (the three demo sites, FedAvg, 5 rounds). The model is fixed for now to the demo task's
 * softmax regression over {@link org.civitas.federation.participant.DemoSites#FEATURES} features and {@link org.civitas.federation.participant.DemoSites#CLASSES} classes.
 */
public record PlanRequest(String name, List<String> sites, String strategy, Integer rounds, Integer localEpochs,
                          Double learningRate, Integer batchSize, Integer minSites, Long roundTimeoutSeconds) {

    public static PlanRequest demo() {
        return new PlanRequest(null, null, null, null, null, null, null, null, null);
    }
}
