package org.civitas.federation.core.model;

import org.civitas.federation.core.tensor.NamedTensors;
import org.civitas.federation.core.tensor.Tensor;

import java.util.Random;

/**
 * Multinomial logistic regression trained by minibatch SGD on cross-entropy: the smallest honest
 * model for the federated path. State: {@code linear.weight} [classes, features] and
 * {@code linear.bias} [classes].
 */
public final class SoftmaxRegression implements LocalTrainer {

    public static final String WEIGHT = "linear.weight";
    public static final String BIAS = "linear.bias";

    private final int featureCount;
    private final int classCount;

    public SoftmaxRegression(int featureCount, int classCount) {
        if (featureCount < 1 || classCount < 2) {
            throw new IllegalArgumentException("need at least 1 feature and 2 classes, got " + featureCount + " and " + classCount);
        }
        this.featureCount = featureCount;
        this.classCount = classCount;
    }

    @Override
    public NamedTensors initialState() {
        return NamedTensors.builder()
                .put(WEIGHT, Tensor.zeros(classCount, featureCount))
                .put(BIAS, Tensor.zeros(classCount))
                .build();
    }

    @Override
    public TrainingResult train(NamedTensors global, LabeledFeatures data, TrainingConfig config) {
        requireCompatible(global, data);
        NamedTensors local = global.copy();
        float[] w = local.get(WEIGHT).values();
        float[] b = local.get(BIAS).values();
        float[] w0 = global.get(WEIGHT).values();
        float[] b0 = global.get(BIAS).values();
        float mu = (float) config.proximalMu();
        double globalLoss = meanLoss(w, b, data);

        int n = data.size();
        int[] order = new int[n];
        for (int i = 0; i < n; i++) {
            order[i] = i;
        }
        Random random = new Random(config.seed());
        float[] gradW = new float[w.length];
        float[] gradB = new float[b.length];
        float[] probs = new float[classCount];
        double lossSum = 0;
        long lossCount = 0;
        for (int epoch = 0; epoch < config.localEpochs(); epoch++) {
            shuffle(order, random);
            for (int start = 0; start < n; start += config.batchSize()) {
                int end = Math.min(n, start + config.batchSize());
                java.util.Arrays.fill(gradW, 0f);
                java.util.Arrays.fill(gradB, 0f);
                for (int k = start; k < end; k++) {
                    float[] x = data.features()[order[k]];
                    int y = data.labels()[order[k]];
                    lossSum += softmax(w, b, x, probs, y);
                    lossCount++;
                    for (int c = 0; c < classCount; c++) {
                        float g = probs[c] - (c == y ? 1f : 0f);
                        gradB[c] += g;
                        int row = c * featureCount;
                        for (int j = 0; j < featureCount; j++) {
                            gradW[row + j] += g * x[j];
                        }
                    }
                }
                float step = (float) (config.learningRate() / (end - start));
                float lr = (float) config.learningRate();
                for (int i = 0; i < w.length; i++) {
                    w[i] -= step * gradW[i] + lr * mu * (w[i] - w0[i]);
                }
                for (int c = 0; c < classCount; c++) {
                    b[c] -= step * gradB[c] + lr * mu * (b[c] - b0[c]);
                }
            }
        }
        NamedTensors delta = local.plusScaled(global, -1f);
        return new TrainingResult(delta, n, lossSum / lossCount, globalLoss);
    }

    /** Mean cross-entropy of a state on a dataset. */
    public double meanLoss(NamedTensors state, LabeledFeatures data) {
        requireCompatible(state, data);
        return meanLoss(state.get(WEIGHT).values(), state.get(BIAS).values(), data);
    }

    /** Fraction of samples whose most probable class is the label. */
    public double accuracy(NamedTensors state, LabeledFeatures data) {
        requireCompatible(state, data);
        float[] w = state.get(WEIGHT).values();
        float[] b = state.get(BIAS).values();
        float[] probs = new float[classCount];
        int correct = 0;
        for (int i = 0; i < data.size(); i++) {
            softmax(w, b, data.features()[i], probs, data.labels()[i]);
            int best = 0;
            for (int c = 1; c < classCount; c++) {
                if (probs[c] > probs[best]) {
                    best = c;
                }
            }
            if (best == data.labels()[i]) {
                correct++;
            }
        }
        return (double) correct / data.size();
    }

    private double meanLoss(float[] w, float[] b, LabeledFeatures data) {
        float[] probs = new float[classCount];
        double sum = 0;
        for (int i = 0; i < data.size(); i++) {
            sum += softmax(w, b, data.features()[i], probs, data.labels()[i]);
        }
        return sum / data.size();
    }

    /** Fills probs with the class probabilities of x and returns the cross-entropy for label y. */
    private double softmax(float[] w, float[] b, float[] x, float[] probs, int y) {
        for (int c = 0; c < classCount; c++) {
            float z = b[c];
            int row = c * featureCount;
            for (int j = 0; j < featureCount; j++) {
                z += w[row + j] * x[j];
            }
            probs[c] = z;
        }
        return Softmax.crossEntropyInPlace(probs, classCount, y);
    }

    private void requireCompatible(NamedTensors state, LabeledFeatures data) {
        if (!state.contains(WEIGHT) || !state.contains(BIAS)) {
            throw new IllegalArgumentException("state needs tensors " + WEIGHT + " and " + BIAS + ", has " + state.names());
        }
        if (!state.get(WEIGHT).hasShape(new int[] {classCount, featureCount}) || !state.get(BIAS).hasShape(new int[] {classCount})) {
            throw new IllegalArgumentException("state shapes do not match a " + featureCount + "-feature, " + classCount + "-class model");
        }
        if (data.featureCount() != featureCount || data.classCount() != classCount) {
            throw new IllegalArgumentException("data has " + data.featureCount() + " features and " + data.classCount()
                    + " classes; the model expects " + featureCount + " and " + classCount);
        }
    }

    private static void shuffle(int[] a, Random random) {
        for (int i = a.length - 1; i > 0; i--) {
            int j = random.nextInt(i + 1);
            int t = a[i];
            a[i] = a[j];
            a[j] = t;
        }
    }
}
