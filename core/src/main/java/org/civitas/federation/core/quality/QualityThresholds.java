package org.civitas.federation.core.quality;

import java.util.Map;

/**
 * The thresholds of the checks, set per dataset. Image thresholds that depend on the camera are
 * relative to the dataset's own median, so one setting fits sites with different cameras.
 *
 * @param nearDuplicateText    text embedding cosine at or above which two texts are near copies
 * @param nearDuplicateImage   thumbnail correlation at or above which two images are near copies
 * @param neighbours           neighbours consulted by the label checks
 * @param labelNoise           share of both modalities' neighbourhood that must disagree with the label
 * @param mismatchTextSupport  the text's support for the label at or below which, with most of the nearest images
 *                             carrying the label, the text is taken to describe something else (a text that is
 *                             merely ambiguous between two related kinds stays above it)
 * @param blurRatio            sharpness below this fraction of the dataset's median flags a blurred image
 * @param darkRatio            mean luminance below this fraction of the median of images with the same label flags an
 *                             under-exposed image (relative, so that a scene dark by nature is not flagged)
 * @param brightShare          share of blown-out pixels above which an image is over-exposed
 */
public record QualityThresholds(double nearDuplicateText, double nearDuplicateImage, int neighbours, double labelNoise,
                                double mismatchTextSupport, double blurRatio, double darkRatio, double brightShare) {

    public QualityThresholds {
        requireIn("nearDuplicateText", nearDuplicateText, 0, 1);
        requireIn("nearDuplicateImage", nearDuplicateImage, -1, 1);
        requireIn("neighbours", neighbours, 1, 100);
        requireIn("labelNoise", labelNoise, 0, 1);
        requireIn("mismatchTextSupport", mismatchTextSupport, 0, 1);
        requireIn("blurRatio", blurRatio, 0, 1);
        requireIn("darkRatio", darkRatio, 0, 1);
        requireIn("brightShare", brightShare, 0, 1);
    }

    public static QualityThresholds defaults() {
        return new QualityThresholds(0.9, 0.992, 10, 0.6, 0.03, 0.15, 0.3, 0.5);
    }

    /** The defaults with the given fields replaced; an unknown field or a value out of range is refused by name. */
    public static QualityThresholds defaultsWith(Map<String, ? extends Number> changes) {
        QualityThresholds d = defaults();
        for (String key : changes.keySet()) {
            if (!java.util.Set.of("nearDuplicateText", "nearDuplicateImage", "neighbours", "labelNoise", "mismatchTextSupport",
                    "blurRatio", "darkRatio", "brightShare").contains(key)) {
                throw new IllegalArgumentException("unknown quality threshold '" + key + "'");
            }
            if (changes.get(key) == null) {
                throw new IllegalArgumentException("quality threshold '" + key + "' has no value");
            }
        }
        java.util.function.BiFunction<String, Double, Double> get = (k, v) -> changes.containsKey(k) ? changes.get(k).doubleValue() : v;
        return new QualityThresholds(get.apply("nearDuplicateText", d.nearDuplicateText),
                get.apply("nearDuplicateImage", d.nearDuplicateImage),
                whole("neighbours", get.apply("neighbours", (double) d.neighbours)),
                get.apply("labelNoise", d.labelNoise), get.apply("mismatchTextSupport", d.mismatchTextSupport), get.apply("blurRatio", d.blurRatio),
                get.apply("darkRatio", d.darkRatio), get.apply("brightShare", d.brightShare));
    }

    private static int whole(String name, double v) {
        if (v != Math.rint(v)) {
            throw new IllegalArgumentException("quality threshold '" + name + "' must be a whole number, was " + v);
        }
        return (int) v;
    }

    private static void requireIn(String name, double v, double min, double max) {
        if (!(v >= min && v <= max)) {
            throw new IllegalArgumentException("quality threshold '" + name + "' must be in [" + fmt(min) + ", " + fmt(max) + "], was " + fmt(v));
        }
    }

    private static String fmt(double v) {
        return v == Math.rint(v) ? Long.toString((long) v) : Double.toString(v);
    }
}
