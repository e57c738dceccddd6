package org.civitas.federation.core.aggregation;

import org.civitas.federation.core.tensor.NamedTensors;

import java.util.Arrays;
import java.util.List;

/**
 * Coordinate-wise median: every coordinate of the aggregate update is the median of that
 * coordinate across sites (the mean of the two middle values for an even count); unweighted, so
 * one site cannot pull it by claiming many samples. Robust to fewer than half of the sites being
 * Byzantine.
 *
 * <p>Yin, Chen, Ramchandran, Bartlett: "Byzantine-Robust Distributed Learning: Towards Optimal
 * Statistical Rates", ICML 2018.
 *
 * <p>No parameters. Memory: all updates at once, O(sites x model).
 */
public final class CoordinateMedian implements Strategy {

    @Override
    public String name() {
        return "median";
    }

    @Override
    public AggregateResult aggregateFit(RoundContext context, NamedTensors global, Iterable<FitResult> results) {
        List<Updates.Loaded> updates = Updates.loadAll(global, results);
        if (updates.isEmpty()) {
            throw new IllegalArgumentException("round " + context.roundNumber() + " has no update to aggregate");
        }
        return AggregateResult.of(global.plusScaled(Updates.perCoordinate(global, updates, CoordinateMedian::median), 1f));
    }

    static float median(float[] values) {
        Arrays.sort(values);
        int n = values.length;
        return n % 2 == 1 ? values[n / 2] : (float) (((double) values[n / 2 - 1] + values[n / 2]) / 2);
    }
}
