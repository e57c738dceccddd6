package org.civitas.federation.core.model;

import org.civitas.federation.core.aggregation.LoraTensors;
import org.civitas.federation.core.tensor.NamedTensors;
import org.civitas.federation.core.tensor.Tensor;

import java.util.Arrays;
import java.util.Random;

/**
 * A softmax classifier whose weight is a LoRA adapter: logits = B·(A·x) + b, with A of shape
 * [rank, features] (random at start, frozen under FFA-LoRA) and B of shape [classes, rank] (zero at
 * start). The smallest honest model on which the LoRA-aware rules do real work. A site may train
 * at a lower rank than the global one (the first r rows of A and columns of B), as heterogeneous
 * LoRA does; its update then has the lower rank's shapes.
 */
public final class LowRankSoftmax implements LocalTrainer {

    public static final String LAYER = "linear";
    public static final String A = LAYER + LoraTensors.A;
    public static final String B = LAYER + LoraTensors.B;
    public static final String BIAS = LAYER + ".bias";
    private static final long INIT_SEED = 4242;

    private final int featureCount;
    private final int classCount;
    private final int rank;

    public LowRankSoftmax(int featureCount, int classCount, int rank) {
        if (featureCount < 1 || classCount < 2 || rank < 1 || rank > Math.min(featureCount, classCount * 8)) {
            throw new IllegalArgumentException("need features >= 1, classes >= 2 and 1 <= rank <= features; got "
                    + featureCount + ", " + classCount + ", " + rank);
        }
        this.featureCount = featureCount;
        this.classCount = classCount;
        this.rank = rank;
    }

    @Override
    public NamedTensors initialState() {
        Random random = new Random(INIT_SEED);
        float[] a = new float[rank * featureCount];
        double scale = 1 / Math.sqrt(featureCount);
        for (int i = 0; i < a.length; i++) {
            a[i] = (float) (random.nextGaussian() * scale);
        }
        return NamedTensors.builder()
                .put(A, new Tensor(new int[] {rank, featureCount}, a))
                .put(B, Tensor.zeros(classCount, rank))
                .put(BIAS, Tensor.zeros(classCount))
                .build();
    }

    @Override
    public TrainingResult train(NamedTensors global, LabeledFeatures data, TrainingConfig config) {
        requireCompatible(global, data);
        // A site configured for more than the global rank trains at the global rank.
        int r = config.localRank() == 0 ? rank : Math.min(config.localRank(), rank);
        double globalLoss = meanLoss(global, data);
        float[] a0 = firstRows(global.get(A).values(), r, featureCount);
        float[] b0 = firstColumns(global.get(B).values(), classCount, rank, r);
        float[] bias0 = global.get(BIAS).values().clone();
        float[] a = a0.clone();
        float[] b = b0.clone();
        float[] bias = bias0.clone();

        int n = data.size();
        int[] order = new int[n];
        for (int i = 0; i < n; i++) {
            order[i] = i;
        }
        Random random = new Random(config.seed());
        float[] gradA = new float[a.length];
        float[] gradB = new float[b.length];
        float[] gradBias = new float[classCount];
        float[] h = new float[r];
        float[] probs = new float[classCount];
        float[] back = new float[r];
        double lossSum = 0;
        long lossCount = 0;
        float mu = (float) config.proximalMu();
        float lr = (float) config.learningRate();
        for (int epoch = 0; epoch < config.localEpochs(); epoch++) {
            for (int i = n - 1; i > 0; i--) {
                int j = random.nextInt(i + 1);
                int t = order[i];
                order[i] = order[j];
                order[j] = t;
            }
            for (int start = 0; start < n; start += config.batchSize()) {
                int end = Math.min(n, start + config.batchSize());
                Arrays.fill(gradA, 0f);
                Arrays.fill(gradB, 0f);
                Arrays.fill(gradBias, 0f);
                for (int k = start; k < end; k++) {
                    float[] x = data.features()[order[k]];
                    int y = data.labels()[order[k]];
                    lossSum += forward(a, b, bias, r, x, h, probs, y);
                    lossCount++;
                    Arrays.fill(back, 0f);
                    for (int c = 0; c < classCount; c++) {
                        float g = probs[c] - (c == y ? 1f : 0f);
                        gradBias[c] += g;
                        for (int q = 0; q < r; q++) {
                            gradB[c * r + q] += g * h[q];
                            back[q] += b[c * r + q] * g;
                        }
                    }
                    if (!config.freezeLoraA()) {
                        for (int q = 0; q < r; q++) {
                            int row = q * featureCount;
                            for (int j = 0; j < featureCount; j++) {
                                gradA[row + j] += back[q] * x[j];
                            }
                        }
                    }
                }
                float step = lr / (end - start);
                if (!config.freezeLoraA()) {
                    for (int i = 0; i < a.length; i++) {
                        a[i] -= step * gradA[i] + lr * mu * (a[i] - a0[i]);
                    }
                }
                for (int i = 0; i < b.length; i++) {
                    b[i] -= step * gradB[i] + lr * mu * (b[i] - b0[i]);
                }
                for (int c = 0; c < classCount; c++) {
                    bias[c] -= step * gradBias[c] + lr * mu * (bias[c] - bias0[c]);
                }
            }
        }
        NamedTensors delta = NamedTensors.builder()
                .put(A, new Tensor(new int[] {r, featureCount}, minus(a, a0)))
                .put(B, new Tensor(new int[] {classCount, r}, minus(b, b0)))
                .put(BIAS, new Tensor(new int[] {classCount}, minus(bias, bias0)))
                .build();
        return new TrainingResult(delta, n, lossSum / lossCount, globalLoss);
    }

    /** Mean cross-entropy of a (full-rank) state on a dataset. */
    public double meanLoss(NamedTensors state, LabeledFeatures data) {
        requireCompatible(state, data);
        float[] h = new float[rank];
        float[] probs = new float[classCount];
        double sum = 0;
        for (int i = 0; i < data.size(); i++) {
            sum += forward(state.get(A).values(), state.get(B).values(), state.get(BIAS).values(), rank,
                    data.features()[i], h, probs, data.labels()[i]);
        }
        return sum / data.size();
    }

    private double forward(float[] a, float[] b, float[] bias, int r, float[] x, float[] h, float[] probs, int y) {
        for (int q = 0; q < r; q++) {
            float s = 0;
            int row = q * featureCount;
            for (int j = 0; j < featureCount; j++) {
                s += a[row + j] * x[j];
            }
            h[q] = s;
        }
        for (int c = 0; c < classCount; c++) {
            float z = bias[c];
            for (int q = 0; q < r; q++) {
                z += b[c * r + q] * h[q];
            }
            probs[c] = z;
        }
        return Softmax.crossEntropyInPlace(probs, classCount, y);
    }

    private void requireCompatible(NamedTensors state, LabeledFeatures data) {
        if (!state.contains(A) || !state.contains(B) || !state.contains(BIAS)
                || !state.get(A).hasShape(new int[] {rank, featureCount}) || !state.get(B).hasShape(new int[] {classCount, rank})) {
            throw new IllegalArgumentException("state does not match a rank-" + rank + " LoRA softmax over " + featureCount
                    + " features and " + classCount + " classes");
        }
        if (data.featureCount() != featureCount || data.classCount() != classCount) {
            throw new IllegalArgumentException("data has " + data.featureCount() + " features and " + data.classCount()
                    + " classes; the model expects " + featureCount + " and " + classCount);
        }
    }

    private static float[] firstRows(float[] m, int rows, int cols) {
        return Arrays.copyOf(m, rows * cols);
    }

    private static float[] firstColumns(float[] m, int rows, int cols, int keep) {
        float[] out = new float[rows * keep];
        for (int i = 0; i < rows; i++) {
            System.arraycopy(m, i * cols, out, i * keep, keep);
        }
        return out;
    }

    private static float[] minus(float[] x, float[] y) {
        float[] out = new float[x.length];
        for (int i = 0; i < x.length; i++) {
            out[i] = x[i] - y[i];
        }
        return out;
    }
}
