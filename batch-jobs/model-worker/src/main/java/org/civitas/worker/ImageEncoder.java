package org.civitas.worker;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import org.civitas.federation.core.model.manifest.ModelManifest;

import java.nio.FloatBuffer;
import java.util.List;
import java.util.Map;

/**
 * A frozen image encoder of the operator's, run on ONNX Runtime: each image, as
 * {@link ImageTensors} reads it (RGB, size x size), is scaled to [0, 1], normalised by the
 * manifest's mean and std and laid out as the encoder expects; its output is the {@code dim}
 * features the fusion layer reads. The artifact's bytes are checked against the manifest's SHA-256
 * before ONNX Runtime sees them, and its output width against {@code dim} when it is loaded.
 */
final class ImageEncoder implements AutoCloseable {

    private final OrtEnvironment env = OrtEnvironment.getEnvironment();
    private final OrtSession session;
    private final String input;
    private final ModelManifest.ImageTower spec;

    ImageEncoder(ModelManifest.ImageTower spec, String artifactDir, int threads) {
        this.spec = spec;
        byte[] model = Artifacts.read(Artifacts.locate(spec.artifact(), artifactDir), "image.artifact", spec.sha256());
        try {
            OrtSession.SessionOptions options = new OrtSession.SessionOptions();
            options.setIntraOpNumThreads(threads);
            session = env.createSession(model, options);
        } catch (OrtException e) {
            throw new IllegalArgumentException("image.artifact: ONNX Runtime cannot load it: " + e.getMessage(), e);
        }
        if (session.getInputNames().size() != 1) {
            close();
            throw new IllegalArgumentException("image.artifact: an image encoder takes one input, this one takes " + session.getInputNames());
        }
        input = session.getInputNames().iterator().next();
        int produced = encode(List.of(new float[3 * spec.size() * spec.size()]))[0].length;
        if (produced != spec.dim()) {
            close();
            throw new IllegalArgumentException("image.dim: the encoder's output has " + produced + " features, the manifest says " + spec.dim());
        }
    }

    /**
     * The features of images in {@link ImageTensors}' form (channels first, each value in [-1, 1]).
     *
     * @throws IllegalArgumentException when the encoder fails on them
     */
    float[][] encode(List<float[]> images) {
        int n = images.size();
        int s = spec.size();
        int plane = s * s;
        float[] batch = new float[n * 3 * plane];
        for (int i = 0; i < n; i++) {
            float[] chw = images.get(i);
            for (int c = 0; c < 3; c++) {
                float mean = spec.mean().get(c).floatValue();
                float std = spec.std().get(c).floatValue();
                for (int p = 0; p < plane; p++) {
                    float unit = (chw[c * plane + p] + 1f) / 2f;
                    float v = (unit - mean) / std;
                    int at = "NHWC".equals(spec.layout()) ? (i * plane + p) * 3 + c : (i * 3 + c) * plane + p;
                    batch[at] = v;
                }
            }
        }
        long[] shape = "NHWC".equals(spec.layout()) ? new long[] {n, s, s, 3} : new long[] {n, 3, s, s};
        try (OnnxTensor tensor = OnnxTensor.createTensor(env, FloatBuffer.wrap(batch), shape);
             OrtSession.Result result = session.run(Map.of(input, tensor))) {
            Object value = result.get(0).getValue();
            if (value instanceof float[][] features) {
                return features;
            }
            throw new IllegalArgumentException("image.artifact: the encoder's output is not [batch, features] floats");
        } catch (OrtException e) {
            throw new IllegalArgumentException("image.artifact: the encoder failed on a " + java.util.Arrays.toString(shape) + " batch: "
                    + e.getMessage(), e);
        }
    }

    @Override
    public void close() {
        try {
            session.close();
        } catch (OrtException e) {
            // nothing left to release
        }
    }
}
