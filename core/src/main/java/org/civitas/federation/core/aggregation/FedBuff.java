package org.civitas.federation.core.aggregation;

import org.civitas.federation.core.tensor.NamedTensors;

/**
 * FedBuff: buffered asynchronous aggregation. Sites train whenever they can (for example in
 * different training windows) from whatever global version they last fetched; the server
 * aggregates as soon as K updates are buffered, each scaled down by its staleness τ (the number of
 * global versions it lags behind): w ← w + η·(1/K)·Σ s(τ_i)·Δ_i with s(τ) = 1/√(1+τ).
 *
 * <p>Nguyen, Malik, Zhan, Yousefpour, Rabbat, Malek, Huba: "Federated Learning with Buffered
 * Asynchronous Aggregation", AISTATS 2022.
 *
 * <p>Parameters: {@code bufferSize} K in [1, 10000] (the round closes at K updates),
 * {@code serverLearningRate} η in (0, 100] (default 1). Streams updates.
 */
public final class FedBuff implements Strategy {

    public static final Range BUFFER_SIZE = Range.wholeNumbers(1, 10_000);
    public static final Range SERVER_LEARNING_RATE = Range.positiveUpTo(100);

    private final int bufferSize;
    private final double serverLearningRate;

    public FedBuff(int bufferSize, double serverLearningRate) {
        this.bufferSize = BUFFER_SIZE.checkInt("FedBuff", "bufferSize", bufferSize);
        this.serverLearningRate = SERVER_LEARNING_RATE.check("FedBuff", "serverLearningRate", serverLearningRate);
    }

    @Override
    public boolean isMeanBased() {
        return true;
    }

    @Override
    public String name() {
        return "fedbuff";
    }

    /** Updates that close a round. */
    public int bufferSize() {
        return bufferSize;
    }

    @Override
    public boolean acceptsStaleUpdates() {
        return true;
    }

    @Override
    public java.util.OptionalInt roundQuorum() {
        return java.util.OptionalInt.of(bufferSize);
    }

    public static double stalenessWeight(int staleness) {
        return 1 / Math.sqrt(1.0 + staleness);
    }

    @Override
    public AggregateResult aggregateFit(RoundContext context, NamedTensors global, Iterable<FitResult> results) {
        WeightedSum sum = Updates.streamingSum(context.roundNumber(), global, results, r -> stalenessWeight(r.staleness()));
        // The mean divides by the sum of the weights; the paper divides by the number of updates.
        float scale = (float) (serverLearningRate * sum.totalWeight() / sum.count());
        return AggregateResult.of(sum.addMeanTo(global, scale));
    }
}
