package org.civitas.worker;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.convolutional.Conv2d;
import ai.djl.nn.core.Linear;
import ai.djl.nn.norm.Dropout;
import ai.djl.nn.pooling.Pool;
import org.civitas.federation.core.model.manifest.CnnTower;
import org.civitas.federation.core.model.manifest.ModelManifest;
import org.civitas.federation.core.model.manifest.MultimodalWeights;
import org.civitas.federation.core.tensor.NamedTensors;
import org.civitas.federation.core.tensor.Tensor;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The fusion model on DJL NDArrays (libtorch), written as a function of named parameters so the
 * federated state maps one to one onto safetensors names:
 *
 * <pre>
 * image features f_i = cnn(image)                                             (trainable CNN, {@link CnnTower})
 * text  features t   = relu(W_t e + s B_t A_t e)                             (W_t frozen, LoRA A_t B_t)
 * fused          h   = relu(W_f [t; f_i] + s B_f A_f [t; f_i])                (W_f frozen, LoRA A_f B_f)
 *                      (h over t alone, or f_i alone, for a model of one modality)
 * logits             = W_h h + b_h                                             (trainable head)
 * </pre>
 *
 * where s = alpha / rank and e is the frozen text tower's embedding, or with {@code text.mode:
 * adapters} the output of the pretrained encoder run with LoRA on its attention projections
 * ({@link TransformerEncoder}). A layer the manifest's adapter does not target keeps only its frozen base.
 */
final class MultimodalModel implements AutoCloseable {

    private final ModelManifest manifest;
    private final NDManager manager;
    private final Map<String, NDArray> trainable = new LinkedHashMap<>();
    private final Map<String, NDArray> frozen = new LinkedHashMap<>();
    private final float scaling;
    private final TransformerEncoder encoder;

    MultimodalModel(ModelManifest manifest, NDManager parent) {
        this(manifest, parent, null);
    }

    /**
     * @param encoder the text encoder with its pretrained weights, for a manifest that adapts it
     *                ({@code text.mode: adapters}); null otherwise
     */
    MultimodalModel(ModelManifest manifest, NDManager parent, TransformerEncoder encoder) {
        this(manifest, parent, encoder, null);
    }

    /**
     * @param imageBase the image tower's pretrained weights ({@code image.base}), for a manifest that
     *                  names them; null otherwise. The layers the adapter targets keep them frozen.
     */
    MultimodalModel(ModelManifest manifest, NDManager parent, TransformerEncoder encoder, NamedTensors imageBase) {
        if (manifest.text() != null && manifest.text().adapted() && encoder == null) {
            throw new IllegalArgumentException("text.mode: the manifest adapts the text encoder, and no encoder was loaded");
        }
        NamedTensors initial = MultimodalWeights.initialState(manifest, imageBase);
        this.encoder = encoder;
        this.manifest = manifest;
        this.manager = parent.newSubManager();
        this.scaling = (float) manifest.adapter().scaling();
        MultimodalWeights.frozenBase(manifest).forEach((name, t) -> frozen.put(name, toArray(t)));
        MultimodalWeights.frozenImageLayers(manifest, imageBase).forEach((name, t) -> frozen.put(name, toArray(t)));
        load(initial);
    }

    ModelManifest manifest() {
        return manifest;
    }

    /** Replaces the trainable parameters by {@code state}, which must hold exactly the manifest's tensors. */
    void load(NamedTensors state) {
        load(state, name -> false);
    }

    /**
     * Replaces the trainable parameters by {@code state}; the {@code held} ones get no gradient, so a
     * backward pass neither computes nor stores one for them (a head-only run then skips the towers).
     */
    void load(NamedTensors state, java.util.function.Predicate<String> held) {
        Map<String, int[]> expected = manifest.trainableShapes();
        if (!state.names().equals(expected.keySet())) {
            throw new IllegalArgumentException("state tensors " + state.names() + " are not the manifest's " + expected.keySet());
        }
        expected.forEach((name, shape) -> {
            if (!state.get(name).hasShape(shape)) {
                throw new IllegalArgumentException("tensor " + name + " has shape " + java.util.Arrays.toString(state.get(name).shape())
                        + ", the manifest needs " + java.util.Arrays.toString(shape));
            }
        });
        trainable.values().forEach(NDArray::close);
        trainable.clear();
        state.forEach((name, t) -> {
            NDArray a = toArray(t);
            a.setRequiresGradient(!held.test(name));
            trainable.put(name, a);
        });
    }

    /** The trainable parameters as named tensors. */
    NamedTensors state() {
        NamedTensors.Builder b = NamedTensors.builder();
        trainable.forEach((name, a) -> {
            long[] s = a.getShape().getShape();
            int[] shape = new int[s.length];
            for (int i = 0; i < s.length; i++) {
                shape[i] = (int) s[i];
            }
            b.put(name, new Tensor(shape, a.toFloatArray()));
        });
        return b.build();
    }

    /** The frozen base matrices, as the forward pass uses them (for checks that training leaves them alone). */
    NamedTensors frozenState() {
        NamedTensors.Builder b = NamedTensors.builder();
        frozen.forEach((name, a) -> {
            long[] s = a.getShape().getShape();
            int[] shape = new int[s.length];
            for (int i = 0; i < s.length; i++) {
                shape[i] = (int) s[i];
            }
            b.put(name, new Tensor(shape, a.toFloatArray()));
        });
        return b.build();
    }

    /** Arrays the model's manager holds now: its parameters and bases, and whatever a pass left on it. */
    int heldArrays() {
        return manager.getManagedArrays().size();
    }

    Map<String, NDArray> parameters() {
        return trainable;
    }

    /**
     * Logits [batch, labels] for text embeddings [batch, text dim] and images [batch, 3, size, size];
     * a model without one of the towers takes null for that input and fuses the other alone.
     */
    NDArray forward(NDArray text, NDArray images) {
        return forward(text, images, null, null);
    }

    /**
     * As above, with masks [batch, 1] of the samples that carry text and an image (null: all do). A
     * missing modality's features are zeroed after its tower, so the fusion sees nothing made up and
     * that tower gets no gradient from the sample: a blank image through the CNN would still train
     * its biases, and a frozen encoder's features of a blank image are not zero.
     */
    NDArray forward(NDArray text, NDArray images, NDArray textMask, NDArray imageMask) {
        return forward(text, images, textMask, imageMask, null);
    }

    /**
     * As above; with an adapted text encoder, {@code tokens} (ids, attention mask, types [batch, t])
     * go through it with this model's adapters, and its pooled output stands for {@code text}.
     */
    NDArray forward(NDArray text, NDArray images, NDArray textMask, NDArray imageMask, NDArray[] tokens) {
        return forward(text, images, textMask, imageMask, tokens, false);
    }

    /** As above; {@code training} turns the image tower's dropout on. */
    NDArray forward(NDArray text, NDArray images, NDArray textMask, NDArray imageMask, NDArray[] tokens, boolean training) {
        if (tokens != null && encoder != null) {
            text = encoder.pooled(tokens[0], tokens[1], tokens[2], trainable, scaling);
        }
        NDArray features = null;
        if (manifest.text() != null) {
            features = adapted("text_proj", text).maximum(0f);
            if (textMask != null) {
                features = features.mul(textMask);
            }
        }
        if (manifest.image() != null) {
            NDArray x = images;
            if ("cnn".equals(manifest.image().kind())) {
                x = cnn(x, manifest.image().cnn(), training);
            }
            if (imageMask != null) {
                x = x.mul(imageMask);
            }
            features = features == null ? x : features.concat(x, 1);
        }
        NDArray fused = adapted("fusion", features).maximum(0f);
        return Linear.linear(fused, trainable.get("head.weight"), trainable.get("head.bias")).singletonOrThrow();
    }

    /** The CNN tower's features of images [batch, 3 or 1, size, size] ({@link CnnTower}). */
    private NDArray cnn(NDArray x, CnnTower tower, boolean training) {
        if (tower.inputChannels() == 1 && x.getShape().get(1) == 3) {
            // Sites read every image as RGB; a grayscale tower sees its mean.
            x = x.mean(new int[] {1}, true);
        }
        for (int i = 1; i <= tower.blocks().size(); i++) {
            CnnTower.ConvBlock b = tower.blocks().get(i - 1);
            NDArray y = convolved(x, tower, Integer.toString(i), b.kernel(), b.stride());
            if (b.residual()) {
                y = convolved(y.maximum(0f), tower, i + "b", b.kernel(), 1).add(x);
            }
            x = y.maximum(0f);
            if (b.pool() > 1) {
                x = Pool.maxPool2d(x, new Shape(b.pool(), b.pool()), new Shape(b.pool(), b.pool()), new Shape(0, 0), false);
            }
        }
        x = "mean".equals(tower.output()) ? x.mean(new int[] {3}).mean(new int[] {2}) : x.reshape(x.getShape().get(0), -1);
        for (int j = 1; j <= tower.dense().size(); j++) {
            x = Linear.linear(x, layerWeight("image.dense" + j, x.getManager()), layerBias("image.dense" + j)).singletonOrThrow()
                    .maximum(0f);
            if (training && tower.dropout() > 0) {
                x = Dropout.dropout(x, (float) tower.dropout(), true).singletonOrThrow();
            }
        }
        return x;
    }

    /** Convolution {@code image.conv<n>}, padded by half its kernel, then GroupNorm {@code image.norm<n>} when the tower has it. */
    private NDArray convolved(NDArray x, CnnTower tower, String n, int kernel, int stride) {
        NDArray y = Conv2d.conv2d(x, layerWeight("image.conv" + n, x.getManager()), layerBias("image.conv" + n),
                new Shape(stride, stride), new Shape(kernel / 2, kernel / 2), new Shape(1, 1), 1).singletonOrThrow();
        if (!"group".equals(tower.norm())) {
            return y;
        }
        // GroupNorm (Wu and He 2018): each sample's channels in groups, normalised by the group's own mean and variance.
        Shape shape = y.getShape();
        NDArray grouped = y.reshape(shape.get(0), tower.groups(), -1);
        NDArray centred = grouped.sub(grouped.mean(new int[] {2}, true));
        NDArray normalised = centred.div(centred.square().mean(new int[] {2}, true).add(1e-5f).sqrt()).reshape(shape);
        long c = shape.get(1);
        NDArray scale = trainable.get("image.norm" + n + ".weight").reshape(1, c, 1, 1);
        NDArray shift = trainable.get("image.norm" + n + ".bias").reshape(1, c, 1, 1);
        // The views are made on the parameters' manager; they belong to this pass, and go with its arrays.
        scale.attach(y.getManager());
        shift.attach(y.getManager());
        return normalised.mul(scale).add(shift);
    }

    /**
     * An image layer's weight: trained, or for a layer the adapter targets the frozen pretrained W0
     * plus s B A, A and B flattened to matrices ([rank, in k k] and [out, rank]) and the product
     * folded back to W0's shape. Merged so that the layer stays one convolution; the product costs
     * out x rank x in x k x k multiply-adds a pass, far less than the convolution. Every intermediate
     * belongs to the pass's manager, not the model's, or each pass would leave them behind.
     */
    private NDArray layerWeight(String layer, NDManager pass) {
        NDArray trained = trainable.get(layer + ".weight");
        if (trained != null) {
            return trained;
        }
        NDArray a = trainable.get(layer + ".lora_A.weight");
        NDArray b = trainable.get(layer + ".lora_B.weight");
        NDArray base = frozen.get(layer + ".weight");
        long rank = a.getShape().get(0);
        NDArray down = a.reshape(rank, -1);
        down.attach(pass);
        NDArray up = b.reshape(b.getShape().get(0), rank);
        up.attach(pass);
        return up.matMul(down).reshape(base.getShape()).mul(scaling).add(base);
    }

    /** An image layer's bias: trained, or frozen at the pretrained base for a layer the adapter targets. */
    private NDArray layerBias(String layer) {
        NDArray trained = trainable.get(layer + ".bias");
        return trained != null ? trained : frozen.get(layer + ".bias");
    }

    /**
     * x W^T through the frozen base, plus the LoRA path s (x A^T) B^T when the layer is a target.
     * Linear.linear takes each matrix as it is: a transposed view would be made on the model's own
     * manager and live as long as the model, one more with every pass.
     */
    private NDArray adapted(String layer, NDArray x) {
        NDArray y = Linear.linear(x, frozen.get(layer + ".base")).singletonOrThrow();
        NDArray a = trainable.get(layer + ".lora_a");
        if (a == null) {
            return y;
        }
        NDArray down = Linear.linear(x, a).singletonOrThrow();
        return y.add(Linear.linear(down, trainable.get(layer + ".lora_b")).singletonOrThrow().mul(scaling));
    }

    private NDArray toArray(Tensor t) {
        return TensorArrays.of(manager, t);
    }

    @Override
    public void close() {
        manager.close();
    }
}
