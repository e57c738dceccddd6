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
        return initialState(manifest, null);
    }

    /**
     * As above, with the image tower's trainable tensors taken from its pretrained {@code imageBase}
     * (the manifest's {@code image.base}; null when it names none): version 0 of a federation that
     * adapts a pretrained tower.
     *
     * @throws IllegalArgumentException naming what the base lacks or holds otherwise ({@link #baseMismatches})
     */
    public static NamedTensors initialState(ModelManifest manifest, NamedTensors imageBase) {
        requireBase(manifest, imageBase);
        NamedTensors.Builder state = NamedTensors.builder();
        for (Map.Entry<String, int[]> e : manifest.trainableShapes().entrySet()) {
            String name = e.getKey();
            int[] shape = e.getValue();
            if (imageBase != null && imageBase.contains(name)) {
                state.put(name, imageBase.get(name));
                continue;
            }
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
                // Scaled by the fan-in: a convolution's A [rank, in, k, k] reads in x k x k numbers per output.
                fill(values, random, 1.0 / Math.sqrt(values.length / (double) shape[0]));
            } else {
                fill(values, random, 0.01);
            }
            state.put(name, new Tensor(shape, values));
        }
        return state.build();
    }

    /**
     * What is wrong with a pretrained image tower's weights for this manifest: tensors the tower does
     * not have, tensors it has and the file lacks, and other shapes. Empty when they fit.
     */
    public static java.util.List<String> baseMismatches(ModelManifest manifest, NamedTensors imageBase) {
        if (manifest.image() == null || manifest.image().cnn() == null || !"cnn".equals(manifest.image().kind())) {
            return java.util.List.of("image.base: the manifest has no CNN image tower for pretrained weights");
        }
        Map<String, int[]> expected = manifest.image().cnn().shapes(manifest.image().size());
        java.util.List<String> problems = new java.util.ArrayList<>();
        java.util.Set<String> unexpected = new java.util.TreeSet<>(imageBase.names());
        unexpected.removeAll(expected.keySet());
        if (!unexpected.isEmpty()) {
            problems.add("image.base: tensors the tower does not have: " + unexpected);
        }
        java.util.Set<String> missing = new java.util.TreeSet<>(expected.keySet());
        missing.removeAll(imageBase.names());
        if (!missing.isEmpty()) {
            problems.add("image.base: tensors missing: " + missing);
        }
        expected.forEach((name, shape) -> {
            if (imageBase.contains(name) && !imageBase.get(name).hasShape(shape)) {
                problems.add("image.base: " + name + " has shape " + java.util.Arrays.toString(imageBase.get(name).shape())
                        + ", the tower's is " + java.util.Arrays.toString(shape));
            }
        });
        return problems;
    }

    /**
     * The frozen weights and biases of the image layers the adapter targets, from the pretrained base;
     * empty when it targets none.
     */
    public static NamedTensors frozenImageLayers(ModelManifest manifest, NamedTensors imageBase) {
        requireBase(manifest, imageBase);
        NamedTensors.Builder frozen = NamedTensors.builder();
        if (imageBase != null) {
            java.util.Set<String> trainable = manifest.trainableShapes().keySet();
            imageBase.forEach((name, t) -> {
                if (!trainable.contains(name)) {
                    frozen.put(name, t);
                }
            });
        }
        return frozen.build();
    }

    private static void requireBase(ModelManifest manifest, NamedTensors imageBase) {
        String base = manifest.image() == null ? null : manifest.image().base();
        if (base != null && imageBase == null) {
            throw new IllegalArgumentException("image.base: the manifest's tower starts from pretrained weights " + base
                    + ", and they were not given");
        }
        if (base == null && imageBase != null) {
            throw new IllegalArgumentException("image.base: the manifest names no pretrained weights, and some were given");
        }
        if (imageBase != null) {
            java.util.List<String> problems = baseMismatches(manifest, imageBase);
            if (!problems.isEmpty()) {
                throw new IllegalArgumentException(String.join("; ", problems));
            }
        }
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
