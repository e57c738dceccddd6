package org.civitas.federation.core.model;

/**
 * A site's local training data as dense feature vectors with integer class labels.
 *
 * @param features one row per sample, all of the same length
 * @param labels   the class of each row, in [0, classCount)
 */
public record LabeledFeatures(float[][] features, int[] labels, int classCount) {

    public LabeledFeatures {
        if (features.length != labels.length) {
            throw new IllegalArgumentException(features.length + " feature rows but " + labels.length + " labels");
        }
        if (features.length == 0) {
            throw new IllegalArgumentException("a dataset needs at least one sample");
        }
        int dim = features[0].length;
        for (int i = 0; i < features.length; i++) {
            if (features[i].length != dim) {
                throw new IllegalArgumentException("row " + i + " has " + features[i].length + " features, expected " + dim);
            }
            if (labels[i] < 0 || labels[i] >= classCount) {
                throw new IllegalArgumentException("row " + i + " has label " + labels[i] + " outside [0, " + classCount + ")");
            }
        }
    }

    public int size() {
        return labels.length;
    }

    public int featureCount() {
        return features[0].length;
    }
}
