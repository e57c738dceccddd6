package org.civitas.federation.core.aggregation;

import org.civitas.federation.core.tensor.NamedTensors;

import java.util.Arrays;
import java.util.List;

/**
 * Coordinate-wise trimmed mean: for every coordinate, the ⌊β·n⌋ largest and ⌊β·n⌋ smallest values
 * across the n sites are dropped and the rest averaged (unweighted). At most ⌊(n−1)/2⌋ go from each
 * end, so β = 0.5 gives the coordinate-wise median (the mean of the two middle values for an even n).
 *
 * <p>Yin, Chen, Ramchandran, Bartlett: "Byzantine-Robust Distributed Learning: Towards Optimal
 * Statistical Rates", ICML 2018.
 *
 * <p>Parameter {@code beta} in [0, 0.5]: the fraction trimmed from each end. Memory: all updates
 * at once, O(sites x model).
 */
public final class TrimmedMean implements Strategy {

    /** Up to one half: then ⌊(n−1)/2⌋ values go from each end, which leaves the median. */
    public static final Range BETA = Range.closed(0, 0.5);

    private final double beta;

    public TrimmedMean(double beta) {
        this.beta = BETA.check("TrimmedMean", "beta", beta);
    }

    @Override
    public String name() {
        return "trimmed-mean";
    }

    @Override
    public AggregateResult aggregateFit(RoundContext context, NamedTensors global, Iterable<FitResult> results) {
        List<Updates.Loaded> updates = Updates.loadAll(global, results);
        Updates.requireAny(context.roundNumber(), updates.size());
        int trim = trimmed(beta, updates.size());
        return AggregateResult.of(global.plusScaled(Updates.perCoordinateSorted(global, updates,
                (sorted, width, out, offset, sums) -> trimmedMean(sorted, trim, width, out, offset, sums)), 1f));
    }

    /** The mean of the rows between the trimmed ends of sorted lanes, summed smallest first as {@link #trimmedMean(float[], int)} does. */
    static void trimmedMean(float[][] sorted, int trim, int width, float[] out, int offset, double[] sums) {
        java.util.Arrays.fill(sums, 0, width, 0);
        for (int k = trim; k < sorted.length - trim; k++) {
            float[] row = sorted[k];
            for (int i = 0; i < width; i++) {
                sums[i] += row[i];
            }
        }
        int kept = sorted.length - 2 * trim;
        for (int i = 0; i < width; i++) {
            out[offset + i] = (float) (sums[i] / kept);
        }
    }

    /** Values dropped from each end: ⌊β·n⌋, but always leaving at least one (two for an even n, whose mean is the median). */
    static int trimmed(double beta, int n) {
        return Math.min((int) Math.floor(beta * n), (n - 1) / 2);
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
