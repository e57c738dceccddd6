package org.civitas.worker;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.ndarray.types.SparseFormat;
import ai.djl.nn.Activation;
import ai.djl.nn.core.Embedding;
import ai.djl.nn.core.Linear;
import ai.djl.nn.norm.LayerNorm;
import org.civitas.federation.core.tensor.NamedTensors;
import org.civitas.federation.core.tensor.Tensor;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A BERT-style sentence encoder written on DJL NDArrays, from the pretrained weights of its ONNX
 * file ({@link OnnxWeights}), under the names PyTorch and PEFT give them:
 *
 * <pre>
 * x   = LayerNorm(word[ids] + position[0..t) + type[types])
 * per layer l:
 *   a = softmax(q k^T / sqrt(d) + mask bias) v, per head    (q, k, v = x W^T + b of query, key, value)
 *   x = LayerNorm(x + a W_o^T + b_o)
 *   x = LayerNorm(x + gelu(x W_i^T + b_i) W_2^T + b_2)
 * out = mean of x over the attention mask, L2-normalised
 * </pre>
 *
 * It computes what ONNX Runtime computes with the same file, so the text tower can be adapted inside
 * (LoRA on its projections) rather than only read.
 */
final class TransformerEncoder implements AutoCloseable {

    /** BERT's layer-norm epsilon. */
    private static final float EPS = 1e-12f;

    private final NDManager manager;
    private final Map<String, NDArray> weights = new LinkedHashMap<>();
    private final int heads;
    private final int layers;
    private final int hidden;
    /** The adapters of one pass, by federated name, and their scaling alpha / rank (none: the pretrained encoder). */
    private record Pass(Map<String, NDArray> adapters, float scaling) {
    }

    /**
     * @param pretrained the encoder's weights by name ({@link OnnxWeights#read})
     * @param heads      attention heads per layer (12 for all-MiniLM-L6-v2)
     * @throws IllegalArgumentException naming a weight the encoder needs and the file lacks
     */
    TransformerEncoder(NamedTensors pretrained, int heads, NDManager parent) {
        this.manager = parent.newSubManager();
        this.heads = heads;
        int count = 0;
        while (pretrained.contains("encoder.layer." + count + ".attention.self.query.weight")) {
            count++;
        }
        this.layers = count;
        if (layers == 0) {
            throw new IllegalArgumentException("text.mode: the encoder has no float weight encoder.layer.0.attention.self.query.weight"
                    + " (only a BERT-style encoder with float weights can be adapted; an int8-quantised one cannot)");
        }
        pretrained.forEach((name, t) -> weights.put(name, toArray(t)));
        this.hidden = (int) weight("embeddings.word_embeddings.weight").getShape().get(1);
        if (hidden % heads != 0) {
            throw new IllegalArgumentException("text.heads: " + heads + " heads do not divide the hidden width " + hidden);
        }
    }

    int layers() {
        return layers;
    }

    /** Arrays the encoder's manager holds now: its pretrained weights, and whatever a pass left on it. */
    int heldArrays() {
        return manager.getManagedArrays().size();
    }

    /** The token states [b, t, hidden] of token ids, attention mask and token types, each [b, t]. */
    NDArray forward(NDArray ids, NDArray mask, NDArray types) {
        return forward(ids, mask, types, Map.of(), 0f);
    }

    /**
     * The token states with LoRA on the projections {@code adapters} holds, by federated name
     * ({@code text.encoder.layer.3.attention.self.query.lora_A.weight} and its {@code lora_B}): a
     * projection's output gains s (x A^T) B^T. The pretrained weights are never changed.
     */
    NDArray forward(NDArray ids, NDArray mask, NDArray types, Map<String, NDArray> adapters, float scaling) {
        Pass pass = new Pass(adapters, scaling);
        long t = ids.getShape().get(1);
        // On the batch's manager, as everything else of the pass: arrays made on the encoder's own would outlive the pass.
        NDArray positions = ids.getManager().arange(0, (int) t).toType(ai.djl.ndarray.types.DataType.INT64, false).reshape(1, t);
        NDArray x = embed("embeddings.word_embeddings.weight", ids)
                .add(embed("embeddings.position_embeddings.weight", positions))
                .add(embed("embeddings.token_type_embeddings.weight", types));
        x = norm("embeddings.LayerNorm", x);
        // Padding keys get a large negative score, so softmax gives them no weight.
        NDArray bias = mask.toType(ai.djl.ndarray.types.DataType.FLOAT32, false).neg().add(1f).mul(-1e9f)
                .reshape(ids.getShape().get(0), 1, 1, t);
        for (int l = 0; l < layers; l++) {
            String p = "encoder.layer." + l + ".";
            NDArray attended = attention(p + "attention.self.", x, bias, pass);
            x = norm(p + "attention.output.LayerNorm", x.add(linear(p + "attention.output.dense", attended, pass)));
            NDArray inner = Activation.gelu(linear(p + "intermediate.dense", x, pass));
            x = norm(p + "output.LayerNorm", x.add(linear(p + "output.dense", inner, pass)));
        }
        return x;
    }

    /** One L2-normalised embedding per sequence: the token states' mean over the attention mask. */
    float[][] pooled(long[][] ids, long[][] mask, long[][] types) {
        try (NDManager batch = manager.newSubManager()) {
            float[] flat = pooled(batch.create(ids), batch.create(mask), batch.create(types), Map.of(), 0f).toFloatArray();
            float[][] out = new float[ids.length][hidden];
            for (int i = 0; i < ids.length; i++) {
                System.arraycopy(flat, i * hidden, out[i], 0, hidden);
            }
            return out;
        }
    }

    /**
     * The L2-normalised mean of the token states over the mask, [b, hidden], with the adapters: what
     * the model's text features start from when the tower is adapted (gradients flow to the adapters).
     */
    NDArray pooled(NDArray ids, NDArray mask, NDArray types, Map<String, NDArray> adapters, float scaling) {
        NDArray states = forward(ids, mask, types, adapters, scaling);
        NDArray weightsOfTokens = mask.toType(ai.djl.ndarray.types.DataType.FLOAT32, false).expandDims(2);
        NDArray mean = states.mul(weightsOfTokens).sum(new int[] {1}).div(weightsOfTokens.sum(new int[] {1}).maximum(1f));
        return mean.div(mean.square().sum(new int[] {1}, true).sqrt().maximum(1e-12f));
    }

    private NDArray attention(String prefix, NDArray x, NDArray bias, Pass pass) {
        long b = x.getShape().get(0);
        long t = x.getShape().get(1);
        int d = hidden / heads;
        NDArray q = split(linear(prefix + "query", x, pass), b, t, d);
        NDArray k = split(linear(prefix + "key", x, pass), b, t, d);
        NDArray v = split(linear(prefix + "value", x, pass), b, t, d);
        NDArray scores = q.matMul(k.transpose(0, 1, 3, 2)).div((float) Math.sqrt(d)).add(bias);
        return scores.softmax(-1).matMul(v).transpose(0, 2, 1, 3).reshape(b, t, hidden);
    }

    /** [b, t, hidden] to [b, heads, t, d]. */
    private NDArray split(NDArray x, long b, long t, int d) {
        return x.reshape(b, t, heads, d).transpose(0, 2, 1, 3);
    }

    /** x W^T + b of the named layer, plus its adapter's s (x A^T) B^T when the pass has one. */
    private NDArray linear(String layer, NDArray x, Pass pass) {
        // Linear.linear takes W as it is: a transposed view of a weight would be made on the weight's manager and outlive the pass.
        NDArray y = Linear.linear(x, weight(layer + ".weight"), weight(layer + ".bias")).singletonOrThrow();
        NDArray a = pass.adapters().get("text." + layer + ".lora_A.weight");
        if (a == null) {
            return y;
        }
        NDArray down = Linear.linear(x, a).singletonOrThrow();
        return y.add(Linear.linear(down, pass.adapters().get("text." + layer + ".lora_B.weight")).singletonOrThrow().mul(pass.scaling()));
    }

    private NDArray embed(String table, NDArray ids) {
        return Embedding.embedding(ids, weight(table), SparseFormat.DENSE).singletonOrThrow();
    }

    private NDArray norm(String layer, NDArray x) {
        return LayerNorm.layerNorm(x, new Shape(hidden), weight(layer + ".weight"), weight(layer + ".bias"), EPS).singletonOrThrow();
    }

    private NDArray weight(String name) {
        NDArray w = weights.get(name);
        if (w == null) {
            throw new IllegalArgumentException("text.artifact: the encoder has no weight '" + name + "'");
        }
        return w;
    }

    private NDArray toArray(Tensor t) {
        return TensorArrays.of(manager, t);
    }

    @Override
    public void close() {
        manager.close();
    }
}
