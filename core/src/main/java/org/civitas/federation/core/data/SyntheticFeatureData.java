package org.civitas.federation.core.data;

import org.civitas.federation.core.model.LabeledFeatures;

import java.util.Random;

/**
 * Deterministic synthetic classification data for one site: every site shares the same class
 * centres (the same task) but draws classes in its own mix and sees its own feature shift, so
 * sites are non-IID as real enterprises are.
 */
public final class SyntheticFeatureData {

    /** Seed of the class centres shared by all sites of a consortium. */
    public static final long TASK_SEED = 20_26_11L;
    // Chosen so that classes overlap: a few rounds are needed, and the loss keeps falling for a while.
    private static final double CENTRE_SPREAD = 0.35;
    private static final double SITE_SHIFT = 0.3;
    private static final double NOISE = 1.0;

    private SyntheticFeatureData() {
    }

    /**
     * @param featureCount dimension of each vector
     * @param classWeights relative frequency of each class at this site (its length is the class count)
     * @param samples      rows to draw
     * @param siteSeed     seed of this site's draws and shift
     */
    public static LabeledFeatures generate(int featureCount, double[] classWeights, int samples, long siteSeed) {
        if (featureCount < 1 || samples < 1 || classWeights.length < 2) {
            throw new IllegalArgumentException("need features >= 1, samples >= 1 and at least 2 classes");
        }
        double total = 0;
        for (double w : classWeights) {
            if (!(w >= 0) || !Double.isFinite(w)) {
                throw new IllegalArgumentException("class weights must be finite and non-negative");
            }
            total += w;
        }
        if (total <= 0) {
            throw new IllegalArgumentException("class weights must not all be zero");
        }
        int classes = classWeights.length;
        Random task = new Random(TASK_SEED);
        float[][] centres = new float[classes][featureCount];
        for (int c = 0; c < classes; c++) {
            for (int j = 0; j < featureCount; j++) {
                centres[c][j] = (float) (task.nextGaussian() * CENTRE_SPREAD);
            }
        }
        Random site = new Random(siteSeed);
        float[] shift = new float[featureCount];
        for (int j = 0; j < featureCount; j++) {
            shift[j] = (float) (site.nextGaussian() * SITE_SHIFT);
        }
        float[][] x = new float[samples][featureCount];
        int[] y = new int[samples];
        for (int i = 0; i < samples; i++) {
            double u = site.nextDouble() * total;
            int c = 0;
            while (c < classes - 1 && u >= classWeights[c]) {
                u -= classWeights[c];
                c++;
            }
            y[i] = c;
            for (int j = 0; j < featureCount; j++) {
                x[i][j] = centres[c][j] + shift[j] + (float) (site.nextGaussian() * NOISE);
            }
        }
        return new LabeledFeatures(x, y, classes);
    }
}
