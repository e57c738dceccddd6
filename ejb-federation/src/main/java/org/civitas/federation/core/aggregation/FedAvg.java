package org.civitas.federation.core.aggregation;

import org.civitas.federation.core.tensor.NamedTensors;

/**
 * Federated Averaging: the next global state is the global state plus the sample-weighted mean
 * of the sites' updates.
 *
 * <p>McMahan, Moore, Ramage, Hampson, Agüera y Arcas: "Communication-Efficient Learning of Deep
 * Networks from Decentralized Data", AISTATS 2017.
 *
 * <p>No parameters. Streams updates: memory is O(model), one update loaded at a time.
 */
public final class FedAvg implements Strategy {

    @Override
    public String name() {
        return "fedavg";
    }

    @Override
    public AggregateResult aggregateFit(RoundContext context, NamedTensors global, Iterable<FitResult> results) {
        NamedTensors mean = Updates.streamingWeightedMean(context.roundNumber(), global, results);
        return AggregateResult.of(global.plusScaled(mean, 1f));
    }
}
