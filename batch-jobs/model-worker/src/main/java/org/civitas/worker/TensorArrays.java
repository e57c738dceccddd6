package org.civitas.worker;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import org.civitas.federation.core.tensor.Tensor;

/** Between the core's named tensors and DJL's NDArrays. */
final class TensorArrays {

    private TensorArrays() {
    }

    /** The tensor as an NDArray of the same shape, owned by {@code manager}. */
    static NDArray of(NDManager manager, Tensor t) {
        long[] shape = new long[t.shape().length];
        for (int i = 0; i < shape.length; i++) {
            shape[i] = t.shape()[i];
        }
        return manager.create(t.values(), new Shape(shape));
    }
}
