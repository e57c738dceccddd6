package org.civitas.federation.core.tensor;

import java.util.Arrays;

/** A dense row-major float32 tensor. The values array is owned by the tensor. */
public final class Tensor {

    private final int[] shape;
    private final float[] values;

    public Tensor(int[] shape, float[] values) {
        if (shape == null || values == null) {
            throw new IllegalArgumentException("shape and values are required");
        }
        long size = elementCount(shape);
        if (size != values.length) {
            throw new IllegalArgumentException("shape " + Arrays.toString(shape) + " needs " + size
                    + " values, got " + values.length);
        }
        this.shape = shape.clone();
        this.values = values;
    }

    public static Tensor zeros(int... shape) {
        return new Tensor(shape, new float[Math.toIntExact(elementCount(shape))]);
    }

    public static long elementCount(int[] shape) {
        long size = 1;
        for (int dim : shape) {
            if (dim < 0) {
                throw new IllegalArgumentException("negative dimension in shape " + Arrays.toString(shape));
            }
            size = Math.multiplyExact(size, dim);
        }
        return size;
    }

    public int[] shape() {
        return shape.clone();
    }

    public boolean hasShape(int[] other) {
        return Arrays.equals(shape, other);
    }

    /** The backing values (not copied: callers that keep the tensor must not alias it). */
    public float[] values() {
        return values;
    }

    public int size() {
        return values.length;
    }

    public Tensor copy() {
        return new Tensor(shape, values.clone());
    }

    /** Index of the first NaN or infinite value, or -1 when all values are finite. */
    public int firstNonFiniteIndex() {
        for (int i = 0; i < values.length; i++) {
            if (!Float.isFinite(values[i])) {
                return i;
            }
        }
        return -1;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Tensor t && Arrays.equals(shape, t.shape) && Arrays.equals(values, t.values);
    }

    @Override
    public int hashCode() {
        return 31 * Arrays.hashCode(shape) + Arrays.hashCode(values);
    }

    @Override
    public String toString() {
        return "Tensor" + Arrays.toString(shape);
    }
}
