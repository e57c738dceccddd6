package org.civitas.federation.core.dataset;

import org.civitas.federation.core.model.LabeledFeatures;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/**
 * Hand-made features of a multimodal sample, for checks that need no foundation model: the mean
 * colour of a 4x4 grid of the image plus its brightness mean and spread, and the words of the text
 * hashed into {@value #TEXT_BUCKETS} buckets (L2-normalised). A missing modality gives zeros.
 */
public final class SimpleFeatures {

    static final int GRID = 4;
    static final int TEXT_BUCKETS = 64;
    public static final int DIMENSION = GRID * GRID * 3 + 2 + TEXT_BUCKETS;

    private SimpleFeatures() {
    }

    public static float[] of(BufferedImage image, String text) {
        float[] f = new float[DIMENSION];
        if (image != null) {
            int w = image.getWidth();
            int h = image.getHeight();
            double[] sums = new double[GRID * GRID * 3];
            int[] counts = new int[GRID * GRID];
            double brightness = 0;
            double brightnessSq = 0;
            for (int y = 0; y < h; y++) {
                for (int x = 0; x < w; x++) {
                    int rgb = image.getRGB(x, y);
                    int cell = (y * GRID / h) * GRID + x * GRID / w;
                    double r = ((rgb >> 16) & 255) / 255.0;
                    double g = ((rgb >> 8) & 255) / 255.0;
                    double b = (rgb & 255) / 255.0;
                    sums[cell * 3] += r;
                    sums[cell * 3 + 1] += g;
                    sums[cell * 3 + 2] += b;
                    counts[cell]++;
                    double v = (r + g + b) / 3;
                    brightness += v;
                    brightnessSq += v * v;
                }
            }
            for (int c = 0; c < GRID * GRID; c++) {
                for (int k = 0; k < 3; k++) {
                    f[c * 3 + k] = (float) (sums[c * 3 + k] / Math.max(1, counts[c]));
                }
            }
            double n = (double) w * h;
            double mean = brightness / n;
            f[GRID * GRID * 3] = (float) mean;
            f[GRID * GRID * 3 + 1] = (float) Math.sqrt(Math.max(0, brightnessSq / n - mean * mean));
        }
        if (text != null) {
            int offset = GRID * GRID * 3 + 2;
            double norm = 0;
            for (String word : text.toLowerCase(Locale.ROOT).split("[^a-z0-9]+")) {
                if (word.length() > 2) {
                    f[offset + Math.floorMod(word.hashCode(), TEXT_BUCKETS)] += 1;
                }
            }
            for (int i = offset; i < f.length; i++) {
                norm += f[i] * f[i];
            }
            if (norm > 0) {
                float inv = (float) (1 / Math.sqrt(norm));
                for (int i = offset; i < f.length; i++) {
                    f[i] *= inv;
                }
            }
        }
        return f;
    }

    /** The labelled samples of a manifest's folder as features over the whole taxonomy. */
    public static LabeledFeatures load(Path folder, List<Sample> samples) throws IOException {
        List<Sample> labelled = samples.stream().filter(s -> s.label() != null).toList();
        float[][] x = new float[labelled.size()][];
        int[] y = new int[labelled.size()];
        for (int i = 0; i < labelled.size(); i++) {
            Sample s = labelled.get(i);
            BufferedImage image = s.hasImage() ? BoundedImages.read(folder.resolve(s.image()), BoundedImages.maxPixelsOfThisProcess()) : null;
            x[i] = of(image, s.text());
            y[i] = Taxonomy.LABELS.indexOf(s.label());
        }
        return new LabeledFeatures(x, y, Taxonomy.LABELS.size());
    }
}
