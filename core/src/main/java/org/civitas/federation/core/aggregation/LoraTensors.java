package org.civitas.federation.core.aggregation;

import org.civitas.federation.core.tensor.NamedTensors;
import org.civitas.federation.core.tensor.Tensor;

import java.util.ArrayList;
import java.util.List;

/**
 * The LoRA naming convention of federated states: a low-rank adapter of a layer is the pair
 * {@code <layer>.lora_A} of shape [r, in] and {@code <layer>.lora_B} of shape [out, r]; the layer's
 * weight moves by B·A.
 */
public final class LoraTensors {

    public static final String A = ".lora_A";
    public static final String B = ".lora_B";

    private LoraTensors() {
    }

    public static boolean isLora(String name) {
        return name.endsWith(A) || name.endsWith(B);
    }

    /**
     * Whether the tensor is a LoRA A factor in any of the namings a state uses: {@code <layer>.lora_A}
     * (the feature models), {@code <layer>.lora_A.weight} (PEFT's, inside the text encoder) and
     * {@code <layer>.lora_a} (the multimodal model's projections).
     */
    public static boolean isA(String name) {
        return name.endsWith(A) || name.endsWith(A + ".weight") || name.endsWith(".lora_a");
    }

    /** A layer's LoRA factors in a state: the names of its A [r, in] and B [out, r]. */
    public record Pair(String layer, String a, String b) {
    }

    /** The namings of the factors: the feature models', PEFT's (inside the text encoder), the multimodal projections'. */
    private static final String[][] NAMINGS = {{A, B}, {A + ".weight", B + ".weight"}, {".lora_a", ".lora_b"}};

    /** The layer prefixes that have both factors in the state. */
    public static List<String> layers(NamedTensors state) {
        return pairs(state).stream().map(Pair::layer).toList();
    }

    /** The LoRA pairs of a state, in any of its namings, in the state's order of their A factors. */
    public static List<Pair> pairs(NamedTensors state) {
        List<Pair> pairs = new ArrayList<>();
        for (String name : state.names()) {
            for (String[] naming : NAMINGS) {
                if (name.endsWith(naming[0])) {
                    String layer = name.substring(0, name.length() - naming[0].length());
                    if (state.contains(layer + naming[1])) {
                        pairs.add(new Pair(layer, name, layer + naming[1]));
                    }
                }
            }
        }
        return pairs;
    }

    /**
     * The state as a site of a lower LoRA rank starts from: every pair's components from {@code rank}
     * on set to zero (rows of A, columns of B), shapes kept. Such a component adds nothing to the layer,
     * gets a zero gradient (each factor's gradient is a product with the other, which is zero), and so
     * stays zero: training then moves only the first {@code rank} components, as heterogeneous LoRA wants.
     */
    public static NamedTensors atRank(NamedTensors state, int rank) {
        NamedTensors.Builder out = NamedTensors.builder();
        java.util.Map<String, Boolean> factors = factors(state);
        state.forEach((name, t) -> {
            if (Boolean.TRUE.equals(factors.get(name)) && rank < t.shape()[0]) {
                float[] v = t.values().clone();
                java.util.Arrays.fill(v, rank * t.shape()[1], v.length, 0f);
                out.put(name, new Tensor(t.shape(), v));
            } else if (Boolean.FALSE.equals(factors.get(name)) && rank < t.shape()[1]) {
                float[] v = t.values().clone();
                int cols = t.shape()[1];
                for (int row = 0; row < t.shape()[0]; row++) {
                    java.util.Arrays.fill(v, row * cols + rank, (row + 1) * cols, 0f);
                }
                out.put(name, new Tensor(t.shape(), v));
            } else {
                out.put(name, t);
            }
        });
        return out.build();
    }

    /**
     * An update cut to a site's rank: each A to its first {@code rank} rows [rank, in], each B to its
     * first {@code rank} columns [out, rank]; the shapes {@link LoraStacking} takes from such a site.
     */
    public static NamedTensors toRank(NamedTensors update, int rank) {
        NamedTensors.Builder out = NamedTensors.builder();
        java.util.Map<String, Boolean> factors = factors(update);
        update.forEach((name, t) -> {
            if (Boolean.TRUE.equals(factors.get(name)) && rank < t.shape()[0]) {
                out.put(name, new Tensor(new int[] {rank, t.shape()[1]}, java.util.Arrays.copyOf(t.values(), rank * t.shape()[1])));
            } else if (Boolean.FALSE.equals(factors.get(name)) && rank < t.shape()[1]) {
                int rows = t.shape()[0];
                int cols = t.shape()[1];
                float[] v = new float[rows * rank];
                for (int row = 0; row < rows; row++) {
                    System.arraycopy(t.values(), row * cols, v, row * rank, rank);
                }
                out.put(name, new Tensor(new int[] {rows, rank}, v));
            } else {
                out.put(name, t);
            }
        });
        return out.build();
    }

    /** Every LoRA factor of the state by name: true for an A factor, false for a B factor. */
    public static java.util.Map<String, Boolean> factors(NamedTensors state) {
        java.util.Map<String, Boolean> factors = new java.util.HashMap<>();
        pairs(state).forEach(p -> {
            factors.put(p.a(), true);
            factors.put(p.b(), false);
        });
        return factors;
    }
}
