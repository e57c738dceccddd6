package org.civitas.federation.core.aggregation;

import org.civitas.federation.core.tensor.NamedTensors;
import org.civitas.federation.core.tensor.Tensor;
import org.civitas.federation.core.tensor.TensorChecks;

import java.util.ArrayList;
import java.util.List;

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

    /** Streams the updates into a sample-weighted mean; fails when there is none. */
    public static NamedTensors streamingWeightedMean(int roundNumber, NamedTensors layout, Iterable<FitResult> results) {
        WeightedSum sum = new WeightedSum(layout);
        for (FitResult r : results) {
            sum.add(r.update().get(), r.sampleCount());
        }
        if (sum.count() == 0) {
            throw new IllegalArgumentException("round " + roundNumber + " has no update to aggregate");
        }
        return sum.mean();
    }

    /**
     * Applies a per-coordinate rule across in-memory updates: for every coordinate the values of
     * all sites are gathered into one small array and reduced to one value.
     */
    public static NamedTensors perCoordinate(NamedTensors layout, List<Loaded> updates, CoordinateRule rule) {
        int n = updates.size();
        NamedTensors.Builder b = NamedTensors.builder();
        float[] column = new float[n];
        layout.forEach((name, t) -> {
            float[][] sources = new float[n][];
            for (int k = 0; k < n; k++) {
                sources[k] = updates.get(k).tensors().get(name).values();
            }
            float[] out = new float[t.size()];
            for (int i = 0; i < out.length; i++) {
                for (int k = 0; k < n; k++) {
                    column[k] = sources[k][i];
                }
                out[i] = rule.reduce(column);
            }
            b.put(name, new Tensor(t.shape(), out));
        });
        return b.build();
    }

    /** Reduces the values of one coordinate across sites; may reorder the array. */
    @FunctionalInterface
    public interface CoordinateRule {
        float reduce(float[] values);
    }
}
