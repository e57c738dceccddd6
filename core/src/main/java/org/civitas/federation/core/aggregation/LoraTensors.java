package org.civitas.federation.core.aggregation;

import org.civitas.federation.core.tensor.NamedTensors;

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

    /** The layer prefixes that have both factors in the state. */
    public static List<String> layers(NamedTensors state) {
        List<String> layers = new ArrayList<>();
        for (String name : state.names()) {
            if (name.endsWith(A)) {
                String layer = name.substring(0, name.length() - A.length());
                if (state.contains(layer + B)) {
                    layers.add(layer);
                }
            }
        }
        return layers;
    }
}
