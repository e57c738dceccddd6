package org.civitas.federation.core.model;

/** The softmax cross-entropy both classifiers share, computed stably (shifted by the largest logit). */
final class Softmax {

    private Softmax() {
    }

    /**
     * Turns the logits in {@code values} into probabilities, in place, and returns the
     * cross-entropy for the true class {@code label}.
     */
    static double crossEntropyInPlace(float[] values, int count, int label) {
        float max = Float.NEGATIVE_INFINITY;
        for (int c = 0; c < count; c++) {
            max = Math.max(max, values[c]);
        }
        double sum = 0;
        for (int c = 0; c < count; c++) {
            sum += Math.exp(values[c] - max);
        }
        double logSum = Math.log(sum) + max;
        double loss = logSum - values[label];
        for (int c = 0; c < count; c++) {
            values[c] = (float) Math.exp(values[c] - logSum);
        }
        return loss;
    }
}
