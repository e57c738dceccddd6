package org.civitas.federation.core.aggregation;

import org.civitas.federation.core.tensor.NamedTensors;

/**
 * Federated Averaging: the next global state is the global state plus the sample-weighted mean
 * of the sites' updates.
 *
 * <p>McMahan, Moore, Ramage, Hampson, Agüera y Arcas: "Communication-Efficient Learning of Deep
 * Networks from Decentralized Data", AISTATS 2017.
 *
 * <p>No parameters. Streams updates: memory is O(model) plus a small bounded group of updates
 * summed in one cache-tiled pass, whatever the number of sites.
 */
public final class FedAvg implements Strategy {

    @Override
    public boolean isMeanBased() {
        return true;
    }

    @Override
    public String name() {
        return "fedavg";
    }

    @Override
    public AggregateResult aggregateFit(RoundContext context, NamedTensors global, Iterable<FitResult> results) {
        return AggregateResult.of(Updates.streamingMeanAddedTo(context.roundNumber(), global, results, FitResult::sampleCount, 1f));
    }
}
