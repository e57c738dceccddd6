package org.civitas.federation.core.aggregation;

import org.civitas.federation.core.tensor.NamedTensors;

import java.util.List;
import java.util.Map;

/**
 * Federated Averaging: the next global state is the global state plus the sample-weighted mean
 * of the sites' updates.
 *
 * <p>McMahan, Moore, Ramage, Hampson, Agüera y Arcas: "Communication-Efficient Learning of Deep
 * Networks from Decentralized Data", AISTATS 2017.
 *
 * <p>Parameters: local epochs, learning rate and batch size, sent unchanged to every site each
 * round. Streams updates: memory is O(model), one update loaded at a time.
 */
public final class FedAvg implements Strategy {

    private final int localEpochs;
    private final double learningRate;
    private final int batchSize;

    public FedAvg(int localEpochs, double learningRate, int batchSize) {
        if (localEpochs < 1) {
            throw new IllegalArgumentException("FedAvg localEpochs must be at least 1, was " + localEpochs);
        }
        if (!(learningRate > 0) || !Double.isFinite(learningRate)) {
            throw new IllegalArgumentException("FedAvg learningRate must be a positive number, was " + learningRate);
        }
        if (batchSize < 1) {
            throw new IllegalArgumentException("FedAvg batchSize must be at least 1, was " + batchSize);
        }
        this.localEpochs = localEpochs;
        this.learningRate = learningRate;
        this.batchSize = batchSize;
    }

    @Override
    public String name() {
        return "fedavg";
    }

    @Override
    public RoundInstructions configureFit(int roundNumber) {
        return new RoundInstructions(localEpochs, learningRate, batchSize, Map.of());
    }

    @Override
    public NamedTensors aggregateFit(int roundNumber, NamedTensors global, Iterable<FitResult> results) {
        WeightedSum sum = new WeightedSum(global);
        for (FitResult r : results) {
            sum.add(r.update().get(), r.sampleCount());
        }
        if (sum.count() == 0) {
            throw new IllegalArgumentException("round " + roundNumber + " has no update to aggregate");
        }
        return global.plusScaled(sum.mean(), 1f);
    }

    @Override
    public double aggregateEvaluate(int roundNumber, List<EvaluationResult> results) {
        if (results.isEmpty()) {
            throw new IllegalArgumentException("round " + roundNumber + " has no evaluation to aggregate");
        }
        double weighted = 0;
        double total = 0;
        for (EvaluationResult r : results) {
            weighted += r.sampleCount() * r.loss();
            total += r.sampleCount();
        }
        return weighted / total;
    }
}
