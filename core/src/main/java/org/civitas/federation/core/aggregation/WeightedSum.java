package org.civitas.federation.core.aggregation;

import org.civitas.federation.core.tensor.NamedTensors;
import org.civitas.federation.core.tensor.Tensor;
import org.civitas.federation.core.tensor.TensorChecks;

import java.util.List;

/**
 * A running weighted mean of updates with the layout of a reference state: memory stays
 * O(model) however many updates stream through. Several updates can be added in one tiled pass
 * ({@link #addAll}), which reads each input once while the accumulator tile stays in cache; that
 * is what makes a sum memory-bandwidth bound rather than accumulator bound.
 *
 * <p>The accumulator holds the mean so far, not the sum: adding updates with weights w_k to a mean
 * of weight W scales it by W/W' and adds each update times w_k/W' (W' = W + Σw_k). Every partial
 * result is then a convex combination of finite floats, so it cannot overflow, whatever the
 * weights and however large the values (a plain float sum of 3e38-valued updates is +Inf).
 */
public final class WeightedSum {

    private final NamedTensors mean;
    private double totalWeight;
    private int count;
    private boolean spent;

    public WeightedSum(NamedTensors layout) {
        NamedTensors.Builder b = NamedTensors.builder();
        layout.forEach((name, t) -> b.put(name, Tensor.zeros(t.shape())));
        this.mean = b.build();
    }

    public void add(NamedTensors update, double weight) {
        addAll(List.of(update), new double[] {weight});
    }

    /**
     * Accumulator elements per tile: 32 KiB of floats. The tiles of the accumulator and of the
     * four updates summed in one loop (160 KiB) stay in a core's second-level cache.
     */
    static final int TILE = 8192;

    /** Adds several updates at once, tile by tile; the same result, up to rounding, as adding them one by one. */
    public void addAll(List<NamedTensors> updates, double[] weights) {
        pass(updates, weights, null, 0f);
    }

    /**
     * Adds the last updates and returns base + scale x (weighted mean) in the same pass: the same
     * floats as {@link #addAll} then {@link #addMeanTo}, without a pass of its own over the mean and
     * without a fresh array for the result, which takes over the accumulator. The sum is spent:
     * nothing can be added to it or read from it afterwards.
     */
    public NamedTensors addAllAndMeanTo(List<NamedTensors> updates, double[] weights, NamedTensors base, float scale) {
        TensorChecks.requireSameLayout(mean, base);
        pass(updates, weights, base, scale);
        spent = true;
        return mean;
    }

    /** One tiled pass over the accumulator; with a base, the accumulator ends as base + scale x mean. */
    private void pass(List<NamedTensors> updates, double[] weights, NamedTensors base, float scale) {
        requireUnspent();
        if (updates.size() != weights.length) {
            throw new IllegalArgumentException(updates.size() + " updates but " + weights.length + " weights");
        }
        if (updates.isEmpty() && count == 0) {
            throw new IllegalStateException("no update was added");
        }
        double added = 0;
        for (int k = 0; k < weights.length; k++) {
            if (!(weights[k] > 0) || !Double.isFinite(weights[k])) {
                throw new IllegalArgumentException("weight must be positive and finite, was " + weights[k]);
            }
            TensorChecks.requireSameLayout(mean, updates.get(k));
            added += weights[k];
        }
        double newTotal = totalWeight + added;
        float keep = (float) (totalWeight / newTotal);
        float[] w = new float[weights.length];
        for (int k = 0; k < weights.length; k++) {
            w[k] = (float) (weights[k] / newTotal);
        }
        // The first pass writes the accumulator without reading it: it holds zeros, and 0 + x is x.
        boolean first = count == 0;
        mean.forEach((name, acc) -> {
            float[] a = acc.values();
            float[][] sources = new float[updates.size()][];
            for (int k = 0; k < sources.length; k++) {
                sources[k] = updates.get(k).get(name).values();
            }
            float[] g = base == null ? null : base.get(name).values();
            forEachChunk(a.length, (from, to) -> {
                for (int start = from; start < to; start += TILE) {
                    int end = Math.min(to, start + TILE);
                    int k = 0;
                    if (first) {
                        scaled(a, sources[0], w[0], start, end);
                        k = 1;
                    } else if (keep != 1f) {
                        scale(a, keep, start, end);
                    }
                    // Four updates per loop: the accumulator tile is loaded and stored once for
                    // four products instead of four times, which is what bounded the sum (the
                    // cache's load and store ports, not memory).
                    for (; k + 4 <= sources.length; k += 4) {
                        addScaled4(a, sources, w, k, start, end);
                    }
                    for (; k < sources.length; k++) {
                        addScaled(a, sources[k], w[k], start, end);
                    }
                    if (g != null) {
                        addTo(a, g, scale, start, end);
                    }
                }
            });
        });
        totalWeight = newTotal;
        count += weights.length;
    }

    private void requireUnspent() {
        if (spent) {
            throw new IllegalStateException("this sum was spent on a result");
        }
    }

    private static void scaled(float[] acc, float[] u, float w, int start, int end) {
        for (int i = start; i < end; i++) {
            acc[i] = w * u[i];
        }
    }

    /** acc = base + factor x acc, in the order {@link #addMeanTo} adds. */
    private static void addTo(float[] acc, float[] base, float factor, int start, int end) {
        for (int i = start; i < end; i++) {
            acc[i] = base[i] + factor * acc[i];
        }
    }

    private static void scale(float[] acc, float factor, int start, int end) {
        for (int i = start; i < end; i++) {
            acc[i] *= factor;
        }
    }

    /** Elements per parallel chunk (32 tiles, 1 MiB of floats); smaller tensors are summed on the calling thread. */
    static final int CHUNK = 32 * TILE;

    /**
     * Runs the body over [0, length) in chunks, in parallel on the common fork-join pool when there
     * is more than one chunk: one thread cannot saturate memory bandwidth, two or more can.
     */
    static void forEachChunk(int length, ChunkBody body) {
        int chunks = (length + CHUNK - 1) / CHUNK;
        if (chunks <= 1) {
            body.run(0, length);
            return;
        }
        java.util.stream.IntStream.range(0, chunks).parallel()
                .forEach(c -> body.run(c * CHUNK, Math.min(length, (c + 1) * CHUNK)));
    }

    /** Work on the element range [from, to). */
    @FunctionalInterface
    interface ChunkBody {
        void run(int from, int to);
    }

    /** acc += w[k] u[k], then w[k+1] u[k+1] and so on: the float operations of four addScaled calls, in their order. */
    private static void addScaled4(float[] acc, float[][] u, float[] w, int k, int start, int end) {
        float[] u0 = u[k];
        float[] u1 = u[k + 1];
        float[] u2 = u[k + 2];
        float[] u3 = u[k + 3];
        float w0 = w[k];
        float w1 = w[k + 1];
        float w2 = w[k + 2];
        float w3 = w[k + 3];
        for (int i = start; i < end; i++) {
            acc[i] = (((acc[i] + w0 * u0[i]) + w1 * u1[i]) + w2 * u2[i]) + w3 * u3[i];
        }
    }

    private static void addScaled(float[] acc, float[] u, float w, int start, int end) {
        for (int i = start; i < end; i++) {
            acc[i] += w * u[i];
        }
    }

    /** base + scale x (weighted mean), in one pass without an intermediate copy of the mean. */
    public NamedTensors addMeanTo(NamedTensors base, float scale) {
        requireUnspent();
        if (count == 0) {
            throw new IllegalStateException("no update was added");
        }
        TensorChecks.requireSameLayout(mean, base);
        float factor = scale;
        NamedTensors.Builder b = NamedTensors.builder();
        base.forEach((name, t) -> {
            float[] g = t.values();
            float[] a = mean.get(name).values();
            float[] out = new float[g.length];
            forEachChunk(g.length, (from, to) -> {
                for (int i = from; i < to; i++) {
                    out[i] = g[i] + factor * a[i];
                }
            });
            b.put(name, new Tensor(t.shape(), out));
        });
        return b.build();
    }

    public int count() {
        return count;
    }

    public double totalWeight() {
        return totalWeight;
    }

    /** The weighted mean of everything added so far (a copy). */
    public NamedTensors mean() {
        requireUnspent();
        if (count == 0) {
            throw new IllegalStateException("no update was added");
        }
        NamedTensors.Builder b = NamedTensors.builder();
        mean.forEach((name, acc) -> b.put(name, new Tensor(acc.shape(), acc.values().clone())));
        return b.build();
    }
}
