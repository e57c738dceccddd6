package org.civitas.federation.core.model;

/**
 * Hyperparameters of one site's local training in one round, as sent by the coordinator.
 *
 * @param localEpochs  passes over the local data
 * @param learningRate SGD step size
 * @param batchSize    samples per minibatch
 * @param seed         shuffling seed, so a round is reproducible at a site
 * @param proximalMu   FedProx's proximal weight: the loss gains (mu/2)·||w − w_global||²
 */
public record TrainingConfig(int localEpochs, double learningRate, int batchSize, long seed, double proximalMu) {

    public TrainingConfig(int localEpochs, double learningRate, int batchSize, long seed) {
        this(localEpochs, learningRate, batchSize, seed, 0);
    }

    public TrainingConfig {
        if (!(proximalMu >= 0) || !Double.isFinite(proximalMu)) {
            throw new IllegalArgumentException("proximalMu must be a non-negative number, was " + proximalMu);
        }
        if (localEpochs < 1) {
            throw new IllegalArgumentException("localEpochs must be at least 1, was " + localEpochs);
        }
        if (!(learningRate > 0) || !Double.isFinite(learningRate)) {
            throw new IllegalArgumentException("learningRate must be a positive number, was " + learningRate);
        }
        if (batchSize < 1) {
            throw new IllegalArgumentException("batchSize must be at least 1, was " + batchSize);
        }
    }
}
