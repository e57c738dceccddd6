package org.civitas.federation.core.aggregation;

import org.civitas.federation.core.tensor.NamedTensors;

import java.util.Arrays;
import java.util.List;

/**
 * Coordinate-wise trimmed mean: for every coordinate, the ⌊β·n⌋ largest and ⌊β·n⌋ smallest values
 * across the n sites are dropped and the rest averaged (unweighted).
 *
 * <p>Yin, Chen, Ramchandran, Bartlett: "Byzantine-Robust Distributed Learning: Towards Optimal
 * Statistical Rates", ICML 2018.
 *
 * <p>Parameter {@code beta} in [0, 0.5): the fraction trimmed from each end. Memory: all updates
 * at once, O(sites x model).
 */
public final class TrimmedMean implements Strategy {

    private final double beta;

    public TrimmedMean(double beta) {
        this.beta = Parameters.inRange("TrimmedMean", "beta", beta, 0, 0.5);
    }

    @Override
    public String name() {
        return "trimmed-mean";
    }

    @Override
    public AggregateResult aggregateFit(RoundContext context, NamedTensors global, Iterable<FitResult> results) {
        List<Updates.Loaded> updates = Updates.loadAll(global, results);
        Updates.requireAny(context.roundNumber(), updates.size());
        int trim = (int) Math.floor(beta * updates.size());
        return AggregateResult.of(global.plusScaled(Updates.perCoordinate(global, updates, values -> trimmedMean(values, trim)), 1f));
    }

    static float trimmedMean(float[] values, int trim) {
        Arrays.sort(values);
        double sum = 0;
        for (int i = trim; i < values.length - trim; i++) {
            sum += values[i];
        }
        return (float) (sum / (values.length - 2 * trim));
    }
}
