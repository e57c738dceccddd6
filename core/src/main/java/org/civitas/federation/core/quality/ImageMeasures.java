package org.civitas.federation.core.quality;

import java.awt.image.BufferedImage;

/**
 * What the quality checks measure on an image: sharpness (variance of the 4-neighbour Laplacian of
 * the luminance over the variance of the luminance itself, so that a dark scene is not taken for a
 * blurred one), mean luminance and the shares of crushed dark and blown-out bright
 * pixels (0..1), small luminance thumbnails of the whole image and of two centre crops (so that a
 * cropped and rescaled copy still lines up with its original), and a colour histogram (4 levels a
 * channel, 64 bins, square roots of the pixel shares) that serves as the image's embedding when no
 * image encoder is configured: what is in the picture shows in its colours wherever it sits, and
 * the square roots let a small object's colours count beside a large background.
 */
public record ImageMeasures(double sharpness, double meanLuminance, double darkShare, double brightShare, float[][] thumbnails,
                            float[] colourHistogram) {

    static final int LEVELS = 4;
    static final int THUMBNAIL = 16;
    /** The crops of the thumbnails, as the share cut from each side: none, 1/16 and 1/8. */
    static final double[] CROPS = {0, 1 / 16.0, 1 / 8.0};
    private static final double DARK = 0.12;
    private static final double BRIGHT = 0.95;

    public static ImageMeasures of(BufferedImage image) {
        int w = image.getWidth();
        int h = image.getHeight();
        double[] lum = new double[w * h];
        double[] histogram = new double[LEVELS * LEVELS * LEVELS];
        double sum = 0;
        int dark = 0;
        int bright = 0;
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                int rgb = image.getRGB(x, y);
                double r = ((rgb >> 16) & 255) / 255.0;
                double g = ((rgb >> 8) & 255) / 255.0;
                double b = (rgb & 255) / 255.0;
                // Rec. 601 luma: how bright a pixel looks, not the plain channel mean.
                double l = 0.299 * r + 0.587 * g + 0.114 * b;
                lum[y * w + x] = l;
                sum += l;
                if (l < DARK) {
                    dark++;
                } else if (l > BRIGHT) {
                    bright++;
                }
                histogram[(((rgb >> 22) & 3) * LEVELS + ((rgb >> 14) & 3)) * LEVELS + ((rgb >> 6) & 3)]++;
            }
        }
        double n = (double) w * h;
        float[] colours = new float[histogram.length];
        for (int i = 0; i < histogram.length; i++) {
            colours[i] = (float) Math.sqrt(histogram[i] / n);
        }
        double mean = sum / n;
        double variance = 0;
        for (double l : lum) {
            variance += (l - mean) * (l - mean);
        }
        variance /= n;
        double sharpness = variance <= 1e-12 ? 0 : laplacianVariance(lum, w, h) / variance;
        return new ImageMeasures(sharpness, mean, dark / n, bright / n, thumbnails(lum, w, h), colours);
    }

    static double laplacianVariance(double[] lum, int w, int h) {
        if (w < 3 || h < 3) {
            return 0;
        }
        double sum = 0;
        double sumSq = 0;
        int count = 0;
        for (int y = 1; y < h - 1; y++) {
            for (int x = 1; x < w - 1; x++) {
                int i = y * w + x;
                double v = (lum[i - 1] + lum[i + 1] + lum[i - w] + lum[i + w] - 4 * lum[i]);
                sum += v;
                sumSq += v * v;
                count++;
            }
        }
        double mean = sum / count;
        return sumSq / count - mean * mean;
    }

    /**
     * Mean-free, unit-length luminance thumbnails of the image and of its centre crops: two
     * thumbnails of near copies correlate close to 1 for the crop that lines them up.
     */
    static float[][] thumbnails(double[] lum, int w, int h) {
        float[][] out = new float[CROPS.length][];
        for (int c = 0; c < CROPS.length; c++) {
            double x0 = w * CROPS[c];
            double y0 = h * CROPS[c];
            double cw = w - 2 * x0;
            double ch = h - 2 * y0;
            double[] cells = new double[THUMBNAIL * THUMBNAIL];
            int[] counts = new int[cells.length];
            for (int y = (int) Math.floor(y0); y < Math.ceil(y0 + ch); y++) {
                for (int x = (int) Math.floor(x0); x < Math.ceil(x0 + cw); x++) {
                    int tx = (int) Math.min(THUMBNAIL - 1, Math.max(0, (x - x0) * THUMBNAIL / cw));
                    int ty = (int) Math.min(THUMBNAIL - 1, Math.max(0, (y - y0) * THUMBNAIL / ch));
                    cells[ty * THUMBNAIL + tx] += lum[y * w + x];
                    counts[ty * THUMBNAIL + tx]++;
                }
            }
            double mean = 0;
            for (int i = 0; i < cells.length; i++) {
                cells[i] /= Math.max(1, counts[i]);
                mean += cells[i];
            }
            mean /= cells.length;
            double norm = 0;
            for (int i = 0; i < cells.length; i++) {
                cells[i] -= mean;
                norm += cells[i] * cells[i];
            }
            norm = Math.sqrt(norm);
            float[] t = new float[cells.length];
            for (int i = 0; i < cells.length; i++) {
                t[i] = norm == 0 ? 0 : (float) (cells[i] / norm);
            }
            out[c] = t;
        }
        return out;
    }

    /** How alike two images look after the best of the crops lines them up: the correlation of their thumbnails, -1..1. */
    public static double likeness(ImageMeasures a, ImageMeasures b) {
        double best = -1;
        for (float[] ta : a.thumbnails()) {
            for (float[] tb : b.thumbnails()) {
                double dot = 0;
                for (int i = 0; i < ta.length; i++) {
                    dot += ta[i] * tb[i];
                }
                best = Math.max(best, dot);
            }
        }
        return best;
    }
}
