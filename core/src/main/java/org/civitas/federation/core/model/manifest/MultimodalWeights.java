package org.civitas.federation.core.model.manifest;

import org.civitas.federation.core.tensor.NamedTensors;
import org.civitas.federation.core.tensor.Tensor;

import java.util.Map;
import java.util.SplittableRandom;

/**
 * The weights of a manifest's model that every party derives alike from {@code fusion.seed}: the
 * initial trainable state (model version 0, made by the coordinator without running the model) and
 * the frozen base matrices of the adapted layers (made by each worker, never exchanged).
 */
public final class MultimodalWeights {

    private MultimodalWeights() {
    }

    /**
     * Convolutions and the head start He- and small-normal; LoRA's A starts small-normal and B at
     * zero, so the adapted layers start exactly at their frozen base (Hu et al. 2021).
     */
    public static NamedTensors initialState(ModelManifest manifest) {
        NamedTensors.Builder state = NamedTensors.builder();
        for (Map.Entry<String, int[]> e : manifest.trainableShapes().entrySet()) {
            String name = e.getKey();
            int[] shape = e.getValue();
            float[] values = new float[(int) Tensor.elementCount(shape)];
            SplittableRandom random = new SplittableRandom(manifest.fusion().seed() ^ name.hashCode());
            if (name.endsWith(".bias") || name.endsWith(".lora_b")) {
                // zeros
            } else if (name.startsWith("image.conv")) {
                double std = Math.sqrt(2.0 / (shape[1] * shape[2] * shape[3]));
                fill(values, random, std);
            } else if (name.endsWith(".lora_a")) {
                fill(values, random, 1.0 / Math.sqrt(shape[1]));
            } else {
                fill(values, random, 0.01);
            }
            state.put(name, new Tensor(shape, values));
        }
        return state.build();
    }

    /** The frozen base weights of the adapted layers: {@code text_proj.base} [hidden, text dim], {@code fusion.base} [hidden, hidden + image dim]. */
    public static NamedTensors frozenBase(ModelManifest manifest) {
        int h = manifest.fusion().hidden();
        int[][] shapes = {{h, manifest.text().dim()}, {h, h + manifest.image().outputDim()}};
        String[] names = {"text_proj.base", "fusion.base"};
        NamedTensors.Builder base = NamedTensors.builder();
        for (int i = 0; i < names.length; i++) {
            int[] shape = shapes[i];
            float[] values = new float[shape[0] * shape[1]];
            fill(values, new SplittableRandom(manifest.fusion().seed() * 31 + i), Math.sqrt(2.0 / (shape[0] + shape[1])));
            base.put(names[i], new Tensor(shape, values));
        }
        return base.build();
    }

    private static void fill(float[] values, SplittableRandom random, double std) {
        for (int i = 0; i < values.length; i++) {
            // Sum of uniforms (Irwin-Hall, n = 12) minus 6: close to a standard normal, and reproducible across JVMs.
            double z = -6;
            for (int k = 0; k < 12; k++) {
                z += random.nextDouble();
            }
            values[i] = (float) (z * std);
        }
    }
}
