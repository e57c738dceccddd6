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
 * The frozen sentence encoder: a BERT-style ONNX model (all-MiniLM-L6-v2 by default) run with ONNX
 * Runtime, tokenised by DJL's HuggingFace tokenizer; token states are mean-pooled over the
 * attention mask and L2-normalised. Embeddings are cached per text, since the tower never changes.
 */
final class TextTower implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(TextTower.class.getName());
    private static final int BATCH = 32;

    private final OrtEnvironment env = OrtEnvironment.getEnvironment();
    private final OrtSession session;
    private final HuggingFaceTokenizer tokenizer;
    private final int dim;
    private final boolean wantsTypeIds;
    private final Map<String, float[]> cache = new HashMap<>();
    private final String provider;

    TextTower(ModelManifest.TextTower spec, String device, int threads) {
        byte[] model = Artifacts.read(spec.artifact(), "text.artifact", spec.sha256());
        byte[] tokenizerJson = Artifacts.read(spec.tokenizer(), "text.tokenizer", null);
        this.dim = spec.dim();
        try {
            Map<String, String> options = new HashMap<>();
            // The shipped tokenizer.json pads every text to 128 tokens; padding to the batch's longest is several times faster.
            options.put("padding", "true");
            options.put("truncation", "true");
            options.put("maxLength", Integer.toString(spec.maxTokens()));
            tokenizer = HuggingFaceTokenizer.newInstance(new ByteArrayInputStream(tokenizerJson), options);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
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
            wantsTypeIds = session.getInputNames().contains("token_type_ids");
        } catch (OrtException e) {
            throw new IllegalArgumentException("text.artifact: ONNX Runtime cannot load it: " + e.getMessage(), e);
        }
        this.provider = chosen;
        LOG.info("Text tower " + spec.artifact() + " (" + dim + "-d) on ONNX Runtime, " + chosen.toUpperCase() + " execution provider");
    }

    String provider() {
        return provider;
    }

    /** One L2-normalised embedding per text; null or blank texts get a zero vector (missing modality). */
    float[][] embed(List<String> texts) {
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
                cache.put(texts.get(batch.get(k)), vectors[k]);
            }
        }
        return out;
    }

    private float[][] encode(List<String> texts) {
        Encoding[] encodings = tokenizer.batchEncode(texts);
        int n = encodings.length;
        int len = encodings[0].getIds().length;
        long[][] ids = new long[n][];
        long[][] mask = new long[n][];
        long[][] types = new long[n][];
        for (int i = 0; i < n; i++) {
            ids[i] = encodings[i].getIds();
            mask[i] = encodings[i].getAttentionMask();
            types[i] = encodings[i].getTypeIds();
        }
        Map<String, OnnxTensor> inputs = new HashMap<>();
        try {
            inputs.put("input_ids", OnnxTensor.createTensor(env, ids));
            inputs.put("attention_mask", OnnxTensor.createTensor(env, mask));
            if (wantsTypeIds) {
                inputs.put("token_type_ids", OnnxTensor.createTensor(env, types));
            }
            try (OrtSession.Result result = session.run(inputs)) {
                float[][][] states = (float[][][]) result.get(0).getValue();
                float[][] pooled = new float[n][dim];
                for (int i = 0; i < n; i++) {
                    int count = 0;
                    for (int t = 0; t < len; t++) {
                        if (mask[i][t] == 1) {
                            count++;
                            for (int d = 0; d < dim; d++) {
                                pooled[i][d] += states[i][t][d];
                            }
                        }
                    }
                    double norm = 0;
                    for (int d = 0; d < dim; d++) {
                        pooled[i][d] /= Math.max(1, count);
                        norm += pooled[i][d] * pooled[i][d];
                    }
                    float inv = (float) (1 / Math.max(1e-12, Math.sqrt(norm)));
                    for (int d = 0; d < dim; d++) {
                        pooled[i][d] *= inv;
                    }
                }
                return pooled;
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
