package org.civitas.federation.application;

/**
 * The JSON part of an update upload.
 *
 * @param sampleCount samples the site trained on (the FedAvg weight)
 * @param trainLoss   mean local training loss
 * @param globalLoss  loss of the received global state on the site's data, before training
 * @param globalAccuracy accuracy of the received global state on the site's data, when the site
 *                    measures it (optional)
 * @param heldoutMacroF1 macro-F1 of the received global state on the site's held-out split (optional)
 */
public record UpdateMetadata(Long sampleCount, Double trainLoss, Double globalLoss, Double globalAccuracy, Double heldoutMacroF1) {
}
