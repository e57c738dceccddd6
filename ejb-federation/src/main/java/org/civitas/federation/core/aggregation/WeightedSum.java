package org.civitas.federation.core.aggregation;

import org.civitas.federation.core.tensor.NamedTensors;
import org.civitas.federation.core.tensor.Tensor;
import org.civitas.federation.core.tensor.TensorChecks;

/**
 * A running weighted sum of updates with the layout of a reference state: memory stays
 * O(model) however many updates stream through.
 */
public final class WeightedSum {

    private final NamedTensors sum;
    private double totalWeight;
    private int count;

    public WeightedSum(NamedTensors layout) {
        NamedTensors.Builder b = NamedTensors.builder();
        layout.forEach((name, t) -> b.put(name, Tensor.zeros(t.shape())));
        this.sum = b.build();
    }

    public void add(NamedTensors update, double weight) {
        if (!(weight > 0) || !Double.isFinite(weight)) {
            throw new IllegalArgumentException("weight must be positive and finite, was " + weight);
        }
        TensorChecks.requireSameLayout(sum, update);
        float w = (float) weight;
        sum.forEach((name, acc) -> {
            float[] a = acc.values();
            float[] u = update.get(name).values();
            for (int i = 0; i < a.length; i++) {
                a[i] += w * u[i];
            }
        });
        totalWeight += weight;
        count++;
    }

    public int count() {
        return count;
    }

    public double totalWeight() {
        return totalWeight;
    }

    /** The weighted mean of everything added so far. */
    public NamedTensors mean() {
        if (count == 0) {
            throw new IllegalStateException("no update was added");
        }
        NamedTensors.Builder b = NamedTensors.builder();
        float inv = (float) (1.0 / totalWeight);
        sum.forEach((name, acc) -> {
            float[] a = acc.values();
            float[] out = new float[a.length];
            for (int i = 0; i < a.length; i++) {
                out[i] = a[i] * inv;
            }
            b.put(name, new Tensor(acc.shape(), out));
        });
        return b.build();
    }
}
