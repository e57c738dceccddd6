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
     * Convolutions, dense layers and the head start He- and small-normal, GroupNorm's scales at one
     * (a residual block's last at zero) and its shifts at zero; LoRA's A starts small-normal and B at
     * zero, so the adapted layers start exactly at their frozen base (Hu et al. 2021).
     */
    public static NamedTensors initialState(ModelManifest manifest) {
        NamedTensors.Builder state = NamedTensors.builder();
        for (Map.Entry<String, int[]> e : manifest.trainableShapes().entrySet()) {
            String name = e.getKey();
            int[] shape = e.getValue();
            float[] values = new float[(int) Tensor.elementCount(shape)];
            SplittableRandom random = new SplittableRandom(manifest.fusion().seed() ^ name.hashCode());
            if (name.endsWith(".bias") || name.endsWith(".lora_b") || name.endsWith(".lora_B.weight")) {
                // zeros
            } else if (name.startsWith("image.norm") && name.endsWith("b.weight")) {
                // zeros: a residual block's last scale starts at zero, so each block starts as the identity (Goyal et al. 2017)
            } else if (name.startsWith("image.norm")) {
                java.util.Arrays.fill(values, 1f);
            } else if (name.startsWith("image.dense")) {
                fill(values, random, Math.sqrt(2.0 / shape[1]));
            } else if (name.startsWith("image.conv")) {
                double std = Math.sqrt(2.0 / (shape[1] * shape[2] * shape[3]));
                fill(values, random, std);
            } else if (name.endsWith(".lora_a") || name.endsWith(".lora_A.weight")) {
                fill(values, random, 1.0 / Math.sqrt(shape[1]));
            } else {
                fill(values, random, 0.01);
            }
            state.put(name, new Tensor(shape, values));
        }
        return state.build();
    }

    /**
     * The frozen base weights of the adapted layers: {@code text_proj.base} [hidden, text dim] when the
     * model reads text, and {@code fusion.base} [hidden, fusion input]. Each is seeded by its position
     * in the two-tower model, so a one-tower model's fusion base is derived as it always was.
     */
    public static NamedTensors frozenBase(ModelManifest manifest) {
        int h = manifest.fusion().hidden();
        NamedTensors.Builder base = NamedTensors.builder();
        if (manifest.text() != null) {
            base.put("text_proj.base", seeded(new int[] {h, manifest.text().dim()}, manifest.fusion().seed() * 31));
        }
        base.put("fusion.base", seeded(new int[] {h, manifest.fusionInputDim()}, manifest.fusion().seed() * 31 + 1));
        return base.build();
    }

    /**
     * The modality whose tower a trainable tensor belongs to: {@code image} for the CNN, {@code text}
     * for the text projection and the encoder's adapters; empty for the shared fusion and head, which
     * every sample trains.
     */
    public static java.util.Optional<String> towerModality(String tensorName) {
        if (tensorName.startsWith("image.")) {
            return java.util.Optional.of("image");
        }
        if (tensorName.startsWith("text_proj.") || tensorName.startsWith("text.")) {
            return java.util.Optional.of("text");
        }
        return java.util.Optional.empty();
    }

    /**
     * An update without the towers of modalities none of its samples carried. Those parts are zero
     * (the model masks a missing modality's features, so its tower gets no gradient), and a rule that
     * averages each tower over the sites that trained it ({@code modality-aware}) must not count them.
     *
     * @param modalitySamples samples per modality, as the worker reports them
     */
    public static NamedTensors withoutUntrainedTowers(NamedTensors update, Map<String, Integer> modalitySamples) {
        NamedTensors.Builder kept = NamedTensors.builder();
        update.forEach((name, t) -> {
            boolean untrained = towerModality(name).map(m -> modalitySamples.getOrDefault(m, 0) == 0).orElse(false);
            if (!untrained) {
                kept.put(name, t);
            }
        });
        return kept.build();
    }

    /**
     * What is wrong with an update a trainer answered for this manifest's model: tensors the model does
     * not have, tensors it has and the update lacks, and shapes other than the manifest's. Empty when
     * the update is the model's. An external trainer speaks the worker's contract, so the site checks
     * its answer before anything leaves.
     */
    public static java.util.List<String> mismatches(ModelManifest manifest, NamedTensors update) {
        Map<String, int[]> expected = manifest.trainableShapes();
        java.util.List<String> problems = new java.util.ArrayList<>();
        java.util.Set<String> unexpected = new java.util.TreeSet<>(update.names());
        unexpected.removeAll(expected.keySet());
        if (!unexpected.isEmpty()) {
            problems.add("tensors the model does not have: " + unexpected);
        }
        java.util.Set<String> missing = new java.util.TreeSet<>(expected.keySet());
        missing.removeAll(update.names());
        if (!missing.isEmpty()) {
            problems.add("tensors missing: " + missing);
        }
        expected.forEach((name, shape) -> {
            if (update.contains(name) && !update.get(name).hasShape(shape)) {
                problems.add("'" + name + "' has shape " + java.util.Arrays.toString(update.get(name).shape()) + ", the manifest's is "
                        + java.util.Arrays.toString(shape));
            }
        });
        return problems;
    }

    /** Glorot-scaled normal values from a seed. */
    private static Tensor seeded(int[] shape, long seed) {
        float[] values = new float[shape[0] * shape[1]];
        fill(values, new SplittableRandom(seed), Math.sqrt(2.0 / (shape[0] + shape[1])));
        return new Tensor(shape, values);
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
