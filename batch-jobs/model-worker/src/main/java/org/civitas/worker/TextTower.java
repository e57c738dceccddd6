package org.civitas.worker;

import ai.djl.huggingface.tokenizers.Encoding;
import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import org.civitas.federation.core.model.manifest.ModelManifest;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.logging.Logger;

/**
 * The frozen sentence encoder: a BERT-style ONNX model (all-MiniLM-L6-v2 by default, or an
 * operator's own, fetched by its hash) run with ONNX Runtime, tokenised by DJL's HuggingFace
 * tokenizer. Token states [n, t, dim] are mean-pooled over the attention mask; an encoder that pools
 * itself ([n, dim]) is taken as it is. Either way the result is L2-normalised. Embeddings are cached
 * per text, since the tower never changes.
 */
final class TextTower implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(TextTower.class.getName());
    private static final int BATCH = 32;

    private final OrtEnvironment env = OrtEnvironment.getEnvironment();
    private final OrtSession session;
    private final HuggingFaceTokenizer tokenizer;
    private final int dim;
    private final boolean wantsMask;
    private final boolean wantsTypeIds;
    private final Map<String, float[]> cache = new HashMap<>();
    private final String provider;
    private final boolean adapted;

    TextTower(ModelManifest.TextTower spec, String device, int threads) {
        this(spec, device, threads, null);
    }

    /**
     * @param artifactDir where artifacts named {@code sha256:<hex>} lie (the encoder and its
     *                    tokenizer, each checked against its hash); null when only shipped ones are used
     * @throws IllegalArgumentException naming the field: an artifact missing or not matching its hash,
     *                    an encoder ONNX Runtime cannot load, without {@code input_ids}, or whose
     *                    output width is not {@code text.dim}
     */
    TextTower(ModelManifest.TextTower spec, String device, int threads, String artifactDir) {
        byte[] model = Artifacts.read(Artifacts.locate(spec.artifact(), artifactDir), "text.artifact", spec.sha256());
        String tokenizerHash = spec.tokenizer().startsWith("sha256:") ? spec.tokenizer().substring("sha256:".length()) : null;
        byte[] tokenizerJson = Artifacts.read(Artifacts.locate(spec.tokenizer(), artifactDir), "text.tokenizer", tokenizerHash);
        this.dim = spec.dim();
        this.adapted = spec.adapted();
        try {
            Map<String, String> options = new HashMap<>();
            // The shipped tokenizer.json pads every text to 128 tokens; padding to the batch's longest is several times faster.
            options.put("padding", "true");
            options.put("truncation", "true");
            options.put("maxLength", Integer.toString(spec.maxTokens()));
            tokenizer = HuggingFaceTokenizer.newInstance(new ByteArrayInputStream(tokenizerJson), options);
        } catch (IOException | RuntimeException e) {
            throw new IllegalArgumentException("text.tokenizer: not a tokenizer.json the HuggingFace tokenizer reads: " + e.getMessage(), e);
        }
        String chosen = "cpu";
        try {
            OrtSession.SessionOptions opts = new OrtSession.SessionOptions();
            opts.setIntraOpNumThreads(threads);
            if ("cuda".equals(device)) {
                try {
                    opts.addCUDA(0);
                    chosen = "cuda";
                } catch (OrtException | RuntimeException | UnsatisfiedLinkError e) {
                    LOG.warning("CUDA execution provider not available (" + e.getMessage() + "); the text tower runs on the CPU");
                }
            }
            session = env.createSession(model, opts);
        } catch (OrtException e) {
            tokenizer.close();
            throw new IllegalArgumentException("text.artifact: ONNX Runtime cannot load it: " + e.getMessage(), e);
        }
        this.provider = chosen;
        if (!session.getInputNames().contains("input_ids")) {
            close();
            throw new IllegalArgumentException("text.artifact: a text encoder takes the tokens as 'input_ids'; this one takes "
                    + session.getInputNames());
        }
        wantsMask = session.getInputNames().contains("attention_mask");
        wantsTypeIds = session.getInputNames().contains("token_type_ids");
        int produced;
        try {
            produced = width(encodeRaw(List.of("a sentence to measure the encoder's output")));
        } catch (RuntimeException e) {
            close();
            throw new IllegalArgumentException("text.artifact: the encoder fails on a sentence: " + e.getMessage(), e);
        }
        if (produced != dim) {
            close();
            throw new IllegalArgumentException("text.dim: the encoder's output has " + produced + " features, the manifest says " + dim);
        }
        LOG.info("Text tower " + spec.artifact() + " (" + dim + "-d) on ONNX Runtime, " + chosen.toUpperCase() + " execution provider");
    }

    /**
     * Whether the model adapts the encoder itself: then the model reads tokens, and runs the encoder
     * ({@link TransformerEncoder}) with its adapters on every step, instead of reading this tower's
     * cached embeddings.
     */
    boolean adapted() {
        return adapted;
    }

    String provider() {
        return provider;
    }

    /** One L2-normalised embedding per text; null or blank texts get a zero vector (missing modality). */
    float[][] embed(List<String> texts) {
        return embed(texts, true);
    }

    /**
     * As above; {@code remember} false leaves the cache as it is: a prediction's texts are anyone's and
     * come once, and kept they would grow the warm worker's memory without end.
     */
    float[][] embed(List<String> texts, boolean remember) {
        float[][] out = new float[texts.size()][];
        List<Integer> todo = new ArrayList<>();
        for (int i = 0; i < texts.size(); i++) {
            String t = texts.get(i);
            if (t == null || t.isBlank()) {
                out[i] = new float[dim];
            } else if (cache.containsKey(t)) {
                out[i] = cache.get(t);
            } else {
                todo.add(i);
            }
        }
        for (int from = 0; from < todo.size(); from += BATCH) {
            List<Integer> batch = todo.subList(from, Math.min(todo.size(), from + BATCH));
            float[][] vectors = encode(batch.stream().map(texts::get).toList());
            for (int k = 0; k < batch.size(); k++) {
                out[batch.get(k)] = vectors[k];
                if (remember) {
                    cache.put(texts.get(batch.get(k)), vectors[k]);
                }
            }
        }
        return out;
    }

    private float[][] encode(List<String> texts) {
        Raw raw = encodeRaw(texts);
        int n = texts.size();
        float[][] pooled = new float[n][];
        for (int i = 0; i < n; i++) {
            pooled[i] = raw.pooled() != null ? raw.pooled()[i].clone() : meanOverMask(raw.states()[i], raw.mask()[i]);
            double norm = 0;
            for (float v : pooled[i]) {
                norm += v * v;
            }
            float inv = (float) (1 / Math.max(1e-12, Math.sqrt(norm)));
            for (int d = 0; d < pooled[i].length; d++) {
                pooled[i][d] *= inv;
            }
        }
        return pooled;
    }

    /** The encoder's own output: token states [n, t, d] with the attention mask, or vectors [n, d] it pooled itself. */
    private record Raw(float[][][] states, long[][] mask, float[][] pooled) {
    }

    private static int width(Raw raw) {
        return raw.pooled() != null ? raw.pooled()[0].length : raw.states()[0][0].length;
    }

    private static float[] meanOverMask(float[][] states, long[] mask) {
        float[] sum = new float[states[0].length];
        int count = 0;
        for (int t = 0; t < states.length; t++) {
            if (mask[t] == 1) {
                count++;
                for (int d = 0; d < sum.length; d++) {
                    sum[d] += states[t][d];
                }
            }
        }
        for (int d = 0; d < sum.length; d++) {
            sum[d] /= Math.max(1, count);
        }
        return sum;
    }

    /** A batch of texts as the encoder reads them: token ids, attention mask and token types, each [n, longest]. */
    record Tokens(long[][] ids, long[][] mask, long[][] types) {
    }

    /** The texts tokenised as this tower tokenises them, padded to the longest and cut at {@code maxTokens}. */
    Tokens tokens(List<String> texts) {
        Encoding[] encodings = tokenizer.batchEncode(texts);
        int n = encodings.length;
        long[][] ids = new long[n][];
        long[][] mask = new long[n][];
        long[][] types = new long[n][];
        for (int i = 0; i < n; i++) {
            ids[i] = encodings[i].getIds();
            mask[i] = encodings[i].getAttentionMask();
            types[i] = encodings[i].getTypeIds();
        }
        return new Tokens(ids, mask, types);
    }

    private Raw encodeRaw(List<String> texts) {
        Tokens tokens = tokens(texts);
        long[][] ids = tokens.ids();
        long[][] mask = tokens.mask();
        long[][] types = tokens.types();
        Map<String, OnnxTensor> inputs = new HashMap<>();
        try {
            inputs.put("input_ids", OnnxTensor.createTensor(env, ids));
            if (wantsMask) {
                inputs.put("attention_mask", OnnxTensor.createTensor(env, mask));
            }
            if (wantsTypeIds) {
                inputs.put("token_type_ids", OnnxTensor.createTensor(env, types));
            }
            try (OrtSession.Result result = session.run(inputs)) {
                Object value = result.get(0).getValue();
                if (value instanceof float[][][] states) {
                    return new Raw(states, mask, null);
                }
                if (value instanceof float[][] vectors) {
                    return new Raw(null, mask, vectors);
                }
                throw new IllegalArgumentException("the first output is " + result.get(0).getInfo()
                        + "; a text encoder answers float token states [n, t, d] or vectors [n, d]");
            }
        } catch (OrtException e) {
            throw new IllegalStateException("text tower failed: " + e.getMessage(), e);
        } finally {
            inputs.values().forEach(OnnxTensor::close);
        }
    }

    @Override
    public void close() {
        try {
            session.close();
        } catch (OrtException e) {
            LOG.warning("closing the text tower: " + e.getMessage());
        }
        tokenizer.close();
    }
}
