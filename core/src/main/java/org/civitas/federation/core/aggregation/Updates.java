package org.civitas.federation.core.aggregation;

import org.civitas.federation.core.tensor.NamedTensors;
import org.civitas.federation.core.tensor.Tensor;
import org.civitas.federation.core.tensor.TensorChecks;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.function.ToDoubleFunction;

/** Vector arithmetic over named tensors, as the aggregation rules need it. */
public final class Updates {

    private Updates() {
    }

    /** An update held in memory, for the rules that need all of them at once. */
    public record Loaded(FitResult result, NamedTensors tensors) {
        public String site() {
            return result.site();
        }
    }

    /** Loads every update, checking each against the global layout. Memory: O(sites x model). */
    public static List<Loaded> loadAll(NamedTensors global, Iterable<FitResult> results) {
        List<Loaded> all = new ArrayList<>();
        for (FitResult r : results) {
            NamedTensors t = r.update().get();
            TensorChecks.requireSameLayout(global, t);
            all.add(new Loaded(r, t));
        }
        return all;
    }

    public static double dot(NamedTensors a, NamedTensors b) {
        double sum = 0;
        for (var e : a.asMap().entrySet()) {
            float[] x = e.getValue().values();
            float[] y = b.get(e.getKey()).values();
            double partial = 0;
            for (int i = 0; i < x.length; i++) {
                partial += (double) x[i] * y[i];
            }
            sum += partial;
        }
        return sum;
    }

    public static double norm(NamedTensors a) {
        return Math.sqrt(dot(a, a));
    }

    public static double squaredDistance(NamedTensors a, NamedTensors b) {
        double sum = 0;
        for (var e : a.asMap().entrySet()) {
            float[] x = e.getValue().values();
            float[] y = b.get(e.getKey()).values();
            double partial = 0;
            for (int i = 0; i < x.length; i++) {
                double d = (double) x[i] - y[i];
                partial += d * d;
            }
            sum += partial;
        }
        return sum;
    }

    public static NamedTensors scaled(NamedTensors a, float factor) {
        NamedTensors.Builder b = NamedTensors.builder();
        a.forEach((name, t) -> {
            float[] v = t.values();
            float[] out = new float[v.length];
            for (int i = 0; i < v.length; i++) {
                out[i] = v[i] * factor;
            }
            b.put(name, new Tensor(t.shape(), out));
        });
        return b.build();
    }

    /** Sample-weighted mean of in-memory updates. */
    public static NamedTensors weightedMean(NamedTensors layout, List<Loaded> updates) {
        WeightedSum sum = new WeightedSum(layout);
        for (Loaded u : updates) {
            sum.add(u.tensors(), u.result().sampleCount());
        }
        return sum.mean();
    }

    /** Fails, naming the round, when there is nothing to aggregate. */
    public static void requireAny(int roundNumber, int updates) {
        if (updates == 0) {
            throw new IllegalArgumentException("round " + roundNumber + " has no update to aggregate");
        }
    }

    /** Updates summed together in one tiled pass, at most. */
    static final int GROUP_UPDATES = 8;
    /** Bytes of updates held at once while summing, at most (one update is always allowed). */
    static final long GROUP_BYTES = 256L * 1024 * 1024;

    /**
     * Streams the updates into a weighted sum, loading a small group at a time (at most
     * {@value #GROUP_UPDATES} updates and {@value #GROUP_BYTES} bytes, whatever the number of sites)
     * and adding each group in one tiled pass; fails when there is none.
     */
    public static WeightedSum streamingSum(int roundNumber, NamedTensors layout, Iterable<FitResult> results,
                                           ToDoubleFunction<FitResult> weight) {
        WeightedSum sum = new WeightedSum(layout);
        Groups groups = new Groups(layout, results.iterator(), weight);
        while (groups.loadNext()) {
            sum.addAll(groups.updates, groups.weights());
        }
        requireAny(roundNumber, sum.count());
        return sum;
    }

    /**
     * global + scale x the weighted mean of the updates, streamed as {@link #streamingSum} streams
     * them; the last group is added in the pass that writes the result, into the accumulator's
     * memory, so the mean is never read back or copied. Fails when there is no update.
     */
    public static NamedTensors streamingMeanAddedTo(int roundNumber, NamedTensors global, Iterable<FitResult> results,
                                                    ToDoubleFunction<FitResult> weight, float scale) {
        WeightedSum sum = new WeightedSum(global);
        Groups groups = new Groups(global, results.iterator(), weight);
        while (groups.loadNext() && !groups.isLast()) {
            sum.addAll(groups.updates, groups.weights());
        }
        requireAny(roundNumber, sum.count() + groups.updates.size());
        return sum.addAllAndMeanTo(groups.updates, groups.weights(), global, scale);
    }

    /** The updates loaded a bounded group at a time, in their order. */
    private static final class Groups {
        private final Iterator<FitResult> results;
        private final ToDoubleFunction<FitResult> weight;
        private final int size;
        final List<NamedTensors> updates;
        private final double[] weights;

        Groups(NamedTensors layout, Iterator<FitResult> results, ToDoubleFunction<FitResult> weight) {
            this.results = results;
            this.weight = weight;
            long updateBytes = Math.max(1, 4 * layout.elementCount());
            this.size = (int) Math.max(1, Math.min(GROUP_UPDATES, GROUP_BYTES / updateBytes));
            this.updates = new ArrayList<>(size);
            this.weights = new double[size];
        }

        /** Drops the group before and loads the next one; false when no update is left. */
        boolean loadNext() {
            updates.clear();
            while (updates.size() < size && results.hasNext()) {
                FitResult r = results.next();
                weights[updates.size()] = weight.applyAsDouble(r);
                updates.add(r.update().get());
            }
            return !updates.isEmpty();
        }

        boolean isLast() {
            return !results.hasNext();
        }

        double[] weights() {
            return updates.size() == size ? weights : Arrays.copyOf(weights, updates.size());
        }
    }

    /** Streams the updates into a sample-weighted mean; fails when there is none. */
    public static NamedTensors streamingWeightedMean(int roundNumber, NamedTensors layout, Iterable<FitResult> results) {
        return streamingSum(roundNumber, layout, results, FitResult::sampleCount).mean();
    }

    /**
     * Applies a per-coordinate rule across in-memory updates: for every coordinate the values of
     * all sites are gathered into one small array and reduced to one value.
     */
    public static NamedTensors perCoordinate(NamedTensors layout, List<Loaded> updates, CoordinateRule rule) {
        int n = updates.size();
        NamedTensors.Builder b = NamedTensors.builder();
        layout.forEach((name, t) -> {
            float[][] sources = valuesOf(updates, name);
            float[] out = new float[t.size()];
            WeightedSum.forEachChunk(out.length, (from, to) -> {
                float[] column = new float[n];
                for (int i = from; i < to; i++) {
                    for (int k = 0; k < n; k++) {
                        column[k] = sources[k][i];
                    }
                    out[i] = rule.reduce(column);
                }
            });
            b.put(name, new Tensor(t.shape(), out));
        });
        return b.build();
    }

    /** Each update's values of one tensor, in the order of the updates. */
    private static float[][] valuesOf(List<Loaded> updates, String name) {
        float[][] sources = new float[updates.size()][];
        for (int k = 0; k < sources.length; k++) {
            sources[k] = updates.get(k).tensors().get(name).values();
        }
        return sources;
    }

    /** Coordinates sorted together: a tile of lanes stays in cache while the sorting network runs over it. */
    static final int LANES = 256;

    /**
     * Applies a rule that needs each coordinate's values in order (median, trimmed mean): the
     * coordinates go through a sorting network a tile at a time, each update's part of the tile
     * copied in as one contiguous run, and the rule reads the sorted rows.
     */
    public static NamedTensors perCoordinateSorted(NamedTensors layout, List<Loaded> updates, SortedRule rule) {
        int n = updates.size();
        SortingNetwork network = SortingNetwork.of(n);
        NamedTensors.Builder b = NamedTensors.builder();
        layout.forEach((name, t) -> {
            float[][] sources = valuesOf(updates, name);
            float[] out = new float[t.size()];
            WeightedSum.forEachChunk(out.length, (from, to) -> {
                float[][] rows = new float[n][LANES];
                double[] scratch = new double[LANES];
                for (int start = from; start < to; start += LANES) {
                    int width = Math.min(LANES, to - start);
                    for (int k = 0; k < n; k++) {
                        System.arraycopy(sources[k], start, rows[k], 0, width);
                    }
                    network.sort(rows, width);
                    rule.reduce(rows, width, out, start, scratch);
                }
            });
            b.put(name, new Tensor(t.shape(), out));
        });
        return b.build();
    }

    /**
     * Reduces sorted lanes to one value each: {@code sorted[k][i]} is the k-th smallest value of
     * lane i (i below {@code width}); the result of lane i goes to {@code out[offset + i]}.
     * {@code scratch} has room for a value per lane.
     */
    @FunctionalInterface
    public interface SortedRule {
        void reduce(float[][] sorted, int width, float[] out, int offset, double[] scratch);
    }

    /** Reduces the values of one coordinate across sites; may reorder the array. */
    @FunctionalInterface
    public interface CoordinateRule {
        float reduce(float[] values);
    }
}
