package org.civitas.federation.core.model;

import org.civitas.federation.core.tensor.NamedTensors;

/**
 * What local training produced.
 *
 * @param delta       trained state minus the global state it started from (the update that is sent)
 * @param sampleCount samples trained on, the FedAvg weight
 * @param trainLoss   mean cross-entropy over all minibatches of the local epochs
 * @param globalLoss  cross-entropy of the received global state on the local data, before training
 */
public record TrainingResult(NamedTensors delta, int sampleCount, double trainLoss, double globalLoss) {
}
