package org.civitas.federation.core.model;

/**
 * Hyperparameters of one site's local training in one round, as sent by the coordinator.
 *
 * @param localEpochs  passes over the local data
 * @param learningRate SGD step size
 * @param batchSize    samples per minibatch
 * @param seed         shuffling seed, so a round is reproducible at a site
 * @param proximalMu   FedProx's proximal weight: the loss gains (mu/2)·||w − w_global||²
 * @param freezeLoraA  keep LoRA A factors as received (FFA-LoRA)
 * @param localRank    LoRA rank this site trains at, or 0 for the global rank
 */
public record TrainingConfig(int localEpochs, double learningRate, int batchSize, long seed, double proximalMu,
                             boolean freezeLoraA, int localRank) {

    public TrainingConfig(int localEpochs, double learningRate, int batchSize, long seed) {
        this(localEpochs, learningRate, batchSize, seed, 0, false, 0);
    }

    public TrainingConfig(int localEpochs, double learningRate, int batchSize, long seed, double proximalMu) {
        this(localEpochs, learningRate, batchSize, seed, proximalMu, false, 0);
    }

    public TrainingConfig {
        if (localRank < 0) {
            throw new IllegalArgumentException("localRank must not be negative, was " + localRank);
        }
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
