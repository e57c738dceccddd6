package org.civitas.federation.core.aggregation;

import org.civitas.federation.core.tensor.NamedTensors;

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
 * <p>No parameters. Memory: all updates at once, O(sites x model). The coordinates are sorted a
 * tile at a time by a {@link SortingNetwork}.
 */
public final class CoordinateMedian implements Strategy {

    @Override
    public String name() {
        return "median";
    }

    @Override
    public AggregateResult aggregateFit(RoundContext context, NamedTensors global, Iterable<FitResult> results) {
        List<Updates.Loaded> updates = Updates.loadAll(global, results);
        Updates.requireAny(context.roundNumber(), updates.size());
        return AggregateResult.of(global.plusScaled(Updates.perCoordinateSorted(global, updates, CoordinateMedian::median), 1f));
    }

    /** The middle row of sorted lanes, or the mean of the two middle rows for an even count. */
    static void median(float[][] sorted, int width, float[] out, int offset, double[] scratch) {
        int n = sorted.length;
        float[] upper = sorted[n / 2];
        if (n % 2 == 1) {
            System.arraycopy(upper, 0, out, offset, width);
            return;
        }
        float[] lower = sorted[n / 2 - 1];
        for (int i = 0; i < width; i++) {
            out[offset + i] = (float) (((double) lower[i] + upper[i]) / 2);
        }
    }

    static float median(float[] values) {
        int n = values.length;
        if (n % 2 == 1) {
            return select(values, n / 2);
        }
        float upper = select(values, n / 2);
        // After selecting index n/2, everything left of it is smaller or equal: the lower middle is their maximum.
        float lower = values[0];
        for (int i = 1; i < n / 2; i++) {
            lower = Math.max(lower, values[i]);
        }
        return (float) (((double) lower + upper) / 2);
    }

    /** The k-th smallest value (Hoare's quickselect, middle pivot); reorders the array. */
    static float select(float[] a, int k) {
        int lo = 0;
        int hi = a.length - 1;
        while (lo < hi) {
            float pivot = a[(lo + hi) >>> 1];
            int i = lo;
            int j = hi;
            while (i <= j) {
                while (a[i] < pivot) {
                    i++;
                }
                while (a[j] > pivot) {
                    j--;
                }
                if (i <= j) {
                    float t = a[i];
                    a[i] = a[j];
                    a[j] = t;
                    i++;
                    j--;
                }
            }
            if (k <= j) {
                hi = j;
            } else if (k >= i) {
                lo = i;
            } else {
                return a[k];
            }
        }
        return a[k];
    }
}
