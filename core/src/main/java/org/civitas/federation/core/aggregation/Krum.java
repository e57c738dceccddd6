package org.civitas.federation.core.aggregation;

import org.civitas.federation.core.tensor.NamedTensors;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;

/**
 * Krum and Multi-Krum: each update is scored by the sum of squared distances to its n − f − 2
 * nearest other updates; Krum keeps the single best-scored update, Multi-Krum the m best and
 * averages them weighted by samples. Tolerates f Byzantine sites when n ≥ 2f + 3.
 *
 * <p>Blanchard, El Mhamdi, Guerraoui, Stainer: "Machine Learning with Adversaries: Byzantine
 * Tolerant Gradient Descent", NeurIPS 2017.
 *
 * <p>Parameters: {@code byzantine} f in [0, 1000], {@code selected} m in [1, 10000] (1 is Krum).
 * Memory: all updates at once, O(sites x model), plus O(sites²) distances. Updates left out are
 * reported as excluded.
 *
 * <p>Ties: updates with equal scores rank by site code, the code that sorts first winning, so the
 * choice does not depend on the order in which updates arrived.
 */
public final class Krum implements Strategy {

    public static final Range BYZANTINE = Range.wholeNumbers(0, 1000);
    public static final Range SELECTED = Range.wholeNumbers(1, 10_000);

    private final int byzantine;
    private final int selected;

    public Krum(int byzantine, int selected) {
        this.byzantine = BYZANTINE.checkInt("Krum", "byzantine", byzantine);
        this.selected = SELECTED.checkInt("Krum", "selected", selected);
    }

    @Override
    public String name() {
        return selected == 1 ? "krum" : "multi-krum";
    }

    @Override
    public int minimumUpdates() {
        return Math.max(2 * byzantine + 3, selected + byzantine);
    }

    @Override
    public AggregateResult aggregateFit(RoundContext context, NamedTensors global, Iterable<FitResult> results) {
        List<Updates.Loaded> updates = Updates.loadAll(global, results);
        int n = updates.size();
        if (n < 2 * byzantine + 3) {
            throw new IllegalArgumentException("Krum with f = " + byzantine + " needs at least " + (2 * byzantine + 3)
                    + " updates, round " + context.roundNumber() + " has " + n);
        }
        if (selected > n - byzantine) {
            throw new IllegalArgumentException("Multi-Krum cannot select " + selected + " of " + n + " updates with f = " + byzantine);
        }
        double[] scores = scores(updates, byzantine);
        Integer[] order = new Integer[n];
        for (int i = 0; i < n; i++) {
            order[i] = i;
        }
        Arrays.sort(order, Comparator.comparingDouble((Integer i) -> scores[i]).thenComparing(i -> updates.get(i).site()));
        List<Updates.Loaded> kept = new ArrayList<>();
        List<AggregateResult.ExcludedUpdate> excluded = new ArrayList<>();
        for (int rank = 0; rank < n; rank++) {
            Updates.Loaded u = updates.get(order[rank]);
            if (rank < selected) {
                kept.add(u);
            } else {
                excluded.add(new AggregateResult.ExcludedUpdate(u.site(), String.format(Locale.ROOT,
                        "not selected by %s: score %.6g ranks %d of %d", name(), scores[order[rank]], rank + 1, n)));
            }
        }
        NamedTensors mean = Updates.weightedMean(global, kept);
        return new AggregateResult(global.plusScaled(mean, 1f), null, excluded);
    }

    /** Each update's Krum score: the sum of its n − f − 2 smallest squared distances to the others. */
    static double[] scores(List<Updates.Loaded> updates, int byzantine) {
        int n = updates.size();
        double[][] d = distances(updates);
        int neighbours = n - byzantine - 2;
        double[] scores = new double[n];
        for (int i = 0; i < n; i++) {
            double[] others = new double[n - 1];
            for (int j = 0, k = 0; j < n; j++) {
                if (j != i) {
                    others[k++] = d[i][j];
                }
            }
            Arrays.sort(others);
            for (int k = 0; k < neighbours; k++) {
                scores[i] += others[k];
            }
        }
        return scores;
    }

    /** Squared distances between every pair of updates. */
    static double[][] distances(List<Updates.Loaded> updates) {
        int n = updates.size();
        double[][] d = new double[n][n];
        // Pairs are independent: spread them over the cores.
        java.util.stream.IntStream.range(0, n * n).parallel().filter(p -> p / n < p % n).forEach(p -> {
            int i = p / n;
            int j = p % n;
            double distance = Updates.squaredDistance(updates.get(i).tensors(), updates.get(j).tensors());
            d[i][j] = distance;
            d[j][i] = distance;
        });
        return d;
    }
}
