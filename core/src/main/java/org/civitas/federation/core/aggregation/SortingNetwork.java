package org.civitas.federation.core.aggregation;

import java.util.concurrent.ConcurrentHashMap;

/**
 * A sorting network for n inputs: Batcher's odd-even merge sort as a fixed list of
 * compare-exchange steps. It sorts many columns at once: the inputs are n rows of lanes (one lane
 * per coordinate), and each step writes the minimum and the maximum of two rows lane by lane. The
 * steps have no data-dependent branches and run over contiguous lanes, so the JIT compiles them to
 * SIMD min/max instructions, and a tile of rows stays in the core's cache while all steps run over
 * it. That is what makes the coordinate-wise median and trimmed mean run near memory speed,
 * where a quickselect per coordinate gathers each column from n arrays and branches on every value.
 *
 * <p>Batcher: "Sorting networks and their applications", AFIPS Spring Joint Computer Conference
 * 1968. For n not a power of two, the steps of the next power of two that touch an input at or past
 * n are left out: those inputs would be +∞, which no step ever moves.
 */
final class SortingNetwork {

    private static final ConcurrentHashMap<Integer, SortingNetwork> BY_SIZE = new ConcurrentHashMap<>();

    private final int inputs;
    private final int[] low;
    private final int[] high;

    private SortingNetwork(int inputs) {
        this.inputs = inputs;
        java.util.List<int[]> steps = new java.util.ArrayList<>();
        for (int p = 1; p < inputs; p <<= 1) {
            for (int k = p; k >= 1; k >>= 1) {
                for (int j = k % p; j + k < inputs; j += 2 * k) {
                    for (int i = 0; i < k && i + j + k < inputs; i++) {
                        if ((i + j) / (2 * p) == (i + j + k) / (2 * p)) {
                            steps.add(new int[] {i + j, i + j + k});
                        }
                    }
                }
            }
        }
        low = new int[steps.size()];
        high = new int[steps.size()];
        for (int s = 0; s < steps.size(); s++) {
            low[s] = steps.get(s)[0];
            high[s] = steps.get(s)[1];
        }
    }

    /** The network for n inputs (built once per n). */
    static SortingNetwork of(int n) {
        if (n < 1) {
            throw new IllegalArgumentException("a sorting network needs at least one input, was " + n);
        }
        return BY_SIZE.computeIfAbsent(n, SortingNetwork::new);
    }

    /** Compare-exchange steps. */
    int steps() {
        return low.length;
    }

    /**
     * Sorts lanes [0, width) of the rows: afterwards, in every lane, row 0 holds the smallest of
     * the n values and row n-1 the largest. Values must not be NaN.
     */
    void sort(float[][] rows, int width) {
        if (rows.length != inputs) {
            throw new IllegalArgumentException("a network for " + inputs + " inputs got " + rows.length + " rows");
        }
        for (int s = 0; s < low.length; s++) {
            float[] a = rows[low[s]];
            float[] b = rows[high[s]];
            for (int i = 0; i < width; i++) {
                float x = a[i];
                float y = b[i];
                a[i] = Math.min(x, y);
                b[i] = Math.max(x, y);
            }
        }
    }
}
