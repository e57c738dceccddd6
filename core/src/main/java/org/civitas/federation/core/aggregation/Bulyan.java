package org.civitas.federation.core.aggregation;

import org.civitas.federation.core.tensor.NamedTensors;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * Bulyan: Krum picks the updates, a trimmed mean around the median fuses them. With n updates and
 * f Byzantine sites tolerated, Krum is applied again and again to the updates not yet picked until
 * θ = n − 2f are picked; then, coordinate by coordinate, the β = θ − 2f picked values closest to
 * their median are averaged. One Byzantine site can then move no coordinate further than the
 * honest values spread, which Krum alone does not promise. Needs n ≥ 4f + 3.
 *
 * <p>El Mhamdi, Guerraoui, Rouault: "The Hidden Vulnerability of Distributed Learning in
 * Byzantium", ICML 2018.
 *
 * <p>Parameter {@code byzantine} f in [0, 1000]. Memory: all updates at once, O(sites x model),
 * plus O(sites²) distances, computed once and reused by every Krum pass. Krum's scores use the
 * max(1, r − f − 2) nearest others among the r updates still unpicked; ties go to the site code that
 * sorts first, as in {@link Krum}. The picked set may still hold up to f Byzantine updates; the
 * fusion around the median is what bounds them. Updates never picked are reported as excluded; the fusion is
 * unweighted (like the paper's), so a claimed sample count cannot pull it.
 */
public final class Bulyan implements Strategy {

    public static final Range BYZANTINE = Krum.BYZANTINE;

    private final int byzantine;

    public Bulyan(int byzantine) {
        this.byzantine = BYZANTINE.checkInt("Bulyan", "byzantine", byzantine);
    }

    @Override
    public String name() {
        return "bulyan";
    }

    @Override
    public int minimumUpdates() {
        return 4 * byzantine + 3;
    }

    @Override
    public AggregateResult aggregateFit(RoundContext context, NamedTensors global, Iterable<FitResult> results) {
        List<Updates.Loaded> updates = Updates.loadAll(global, results);
        int n = updates.size();
        if (n < minimumUpdates()) {
            throw new IllegalArgumentException("Bulyan with f = " + byzantine + " needs at least " + minimumUpdates()
                    + " updates, round " + context.roundNumber() + " has " + n);
        }
        int[] picked = select(updates, byzantine);
        boolean[] isPicked = new boolean[n];
        List<Updates.Loaded> kept = new ArrayList<>();
        for (int i : picked) {
            isPicked[i] = true;
            kept.add(updates.get(i));
        }
        List<AggregateResult.ExcludedUpdate> excluded = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            if (!isPicked[i]) {
                excluded.add(new AggregateResult.ExcludedUpdate(updates.get(i).site(), String.format(Locale.ROOT,
                        "not selected by bulyan: Krum picked %d of %d updates with f = %d", picked.length, n, byzantine)));
            }
        }
        int beta = picked.length - 2 * byzantine;
        NamedTensors fused = Updates.perCoordinate(global, kept, values -> meanAroundMedian(values, beta));
        return new AggregateResult(global.plusScaled(fused, 1f), null, excluded);
    }

    /** Indices of the θ = n − 2f updates picked by repeated Krum, in the order picked. */
    static int[] select(List<Updates.Loaded> updates, int byzantine) {
        int n = updates.size();
        double[][] d = Krum.distances(updates);
        int theta = n - 2 * byzantine;
        List<Integer> remaining = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            remaining.add(i);
        }
        int[] picked = new int[theta];
        for (int p = 0; p < theta; p++) {
            // At least one neighbour, as Flower's Bulyan does: late passes with r − f − 2 = 0 would
            // score every update 0 and pick by name alone.
            int neighbours = Math.min(remaining.size() - 1, Math.max(1, remaining.size() - byzantine - 2));
            int best = -1;
            double bestScore = Double.POSITIVE_INFINITY;
            for (int i : remaining) {
                double[] others = new double[remaining.size() - 1];
                int k = 0;
                for (int j : remaining) {
                    if (j != i) {
                        others[k++] = d[i][j];
                    }
                }
                Arrays.sort(others);
                double score = 0;
                for (int m = 0; m < neighbours; m++) {
                    score += others[m];
                }
                if (best < 0 || score < bestScore
                        || (score == bestScore && updates.get(i).site().compareTo(updates.get(best).site()) < 0)) {
                    best = i;
                    bestScore = score;
                }
            }
            picked[p] = best;
            remaining.remove(Integer.valueOf(best));
        }
        return picked;
    }

    /** The mean of the β values closest to the median; reorders the array. */
    static float meanAroundMedian(float[] values, int beta) {
        Arrays.sort(values);
        int n = values.length;
        // After sorting, the β values closest to the median form a window of β neighbours: slide it
        // from the middle, always dropping the end further from the median.
        double median = n % 2 == 1 ? values[n / 2] : ((double) values[n / 2 - 1] + values[n / 2]) / 2;
        int lo = 0;
        int hi = n - 1;
        while (hi - lo + 1 > beta) {
            if (median - values[lo] >= values[hi] - median) {
                lo++;
            } else {
                hi--;
            }
        }
        double sum = 0;
        for (int i = lo; i <= hi; i++) {
            sum += values[i];
        }
        return (float) (sum / beta);
    }
}
