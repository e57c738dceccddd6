package org.civitas.federation.core.tensor;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.function.BiConsumer;

/**
 * An ordered set of named tensors: a model state, or an update to one. Only trainable
 * parameters travel, so this is also the federated state.
 */
public final class NamedTensors {

    private final Map<String, Tensor> tensors;

    private NamedTensors(Map<String, Tensor> tensors) {
        this.tensors = tensors;
    }

    public static Builder builder() {
        return new Builder();
    }

    public Tensor get(String name) {
        Tensor tensor = tensors.get(name);
        if (tensor == null) {
            throw new IllegalArgumentException("no tensor named '" + name + "'");
        }
        return tensor;
    }

    public boolean contains(String name) {
        return tensors.containsKey(name);
    }

    public Set<String> names() {
        return Collections.unmodifiableSet(tensors.keySet());
    }

    public Map<String, Tensor> asMap() {
        return Collections.unmodifiableMap(tensors);
    }

    public int size() {
        return tensors.size();
    }

    public long elementCount() {
        long n = 0;
        for (Tensor t : tensors.values()) {
            n += t.size();
        }
        return n;
    }

    public void forEach(BiConsumer<String, Tensor> action) {
        tensors.forEach(action);
    }

    /** A deep copy, so that training can change it while the original stays as it was. */
    public NamedTensors copy() {
        Builder b = builder();
        tensors.forEach((name, t) -> b.put(name, t.copy()));
        return b.build();
    }

    /** this + scale * other, tensor by tensor; both must have the same names and shapes. */
    public NamedTensors plusScaled(NamedTensors other, float scale) {
        TensorChecks.requireSameLayout(this, other);
        Builder b = builder();
        tensors.forEach((name, t) -> {
            float[] a = t.values();
            float[] d = other.get(name).values();
            float[] out = new float[a.length];
            for (int i = 0; i < a.length; i++) {
                out[i] = a[i] + scale * d[i];
            }
            b.put(name, new Tensor(t.shape(), out));
        });
        return b.build();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof NamedTensors n && tensors.equals(n.tensors);
    }

    @Override
    public int hashCode() {
        return tensors.hashCode();
    }

    @Override
    public String toString() {
        return "NamedTensors" + tensors;
    }

    public static final class Builder {
        private final Map<String, Tensor> tensors = new LinkedHashMap<>();

        public Builder put(String name, Tensor tensor) {
            Objects.requireNonNull(tensor, "tensor");
            if (name == null || name.isBlank()) {
                throw new IllegalArgumentException("tensor name must not be blank");
            }
            if (name.startsWith("__")) {
                throw new IllegalArgumentException("tensor name '" + name + "' is reserved");
            }
            if (tensors.putIfAbsent(name, tensor) != null) {
                throw new IllegalArgumentException("duplicate tensor name '" + name + "'");
            }
            return this;
        }

        public NamedTensors build() {
            return new NamedTensors(new LinkedHashMap<>(tensors));
        }
    }
}
