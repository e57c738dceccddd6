package org.civitas.federation.core.quality;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The checks across a dataset, over the items' measured features: duplicates, near duplicates,
 * label noise and cross-modal mismatch (each judged by the item's neighbourhood among the other
 * items: texts by embedding cosine, images by their colour layout), and the per-item checks whose
 * threshold depends on the dataset (sharpness and exposure relative to its medians).
 *
 * <p>The label checks compare each item's label with the labels of its nearest neighbours in
 * each modality. When both modalities disagree with the label, the label is suspect; when the
 * image agrees and the text does not, the text describes something else than the picture. Pairwise work is quadratic in the items: fine for the tens of thousands of
 * items a site labels by hand, not for millions.
 */
public final class QualityAnalysis {

    /** The findings (at the site only) and the aggregate report (may leave it). */
    public record Outcome(List<Finding> findings, QualityReport report) {

        /** The lines the curated manifest leaves out. */
        public Set<Integer> excludedLines() {
            Set<Integer> out = new HashSet<>();
            findings.stream().filter(f -> f.check().excludes()).forEach(f -> out.add(f.line()));
            return out;
        }

        /** The lines kept with their text redacted. */
        public Set<Integer> redactedLines() {
            Set<Integer> out = new HashSet<>();
            findings.stream().filter(f -> f.check() == Check.PII).forEach(f -> out.add(f.line()));
            out.removeAll(excludedLines());
            return out;
        }
    }

    private QualityAnalysis() {
    }

    /** As {@link #analyse(List, QualityThresholds, java.util.Set)} for a task that reads both images and text. */
    public static Outcome analyse(List<ItemFeatures> all, QualityThresholds t) {
        return analyse(all, t, java.util.Set.of("image", "text"));
    }

    /**
     * @param modalities what the dataset's task reads: an item lacks a modality only if the task
     *                   reads it (a text-only task's items have no image, and that is no defect)
     */
    public static Outcome analyse(List<ItemFeatures> all, QualityThresholds t, java.util.Set<String> modalities) {
        List<ItemFeatures> items = new ArrayList<>(all);
        items.sort((a, b) -> Integer.compare(a.line(), b.line()));
        List<Finding> findings = new ArrayList<>();
        List<ItemFeatures> sound = new ArrayList<>();
        for (ItemFeatures item : items) {
            if (item.schemaProblem() != null) {
                findings.add(new Finding(item.line(), item.id(), Check.SCHEMA_ERROR, 1, item.schemaProblem(), null));
                continue;
            }
            sound.add(item);
            boolean noImage = modalities.contains("image") && !item.hasImage();
            boolean noText = modalities.contains("text") && !item.hasText();
            if (noImage || noText) {
                findings.add(new Finding(item.line(), item.id(), Check.MISSING_MODALITY, 1, noImage ? "no image" : "no text", null));
            }
            if (!item.piiKinds().isEmpty()) {
                findings.add(new Finding(item.line(), item.id(), Check.PII, 1,
                        "personal data in the text: " + String.join(", ", new java.util.TreeSet<>(item.piiKinds())), null));
            }
        }
        Map<String, String> duplicateOf = exactDuplicates(sound, findings);
        Map<String, String> nearDuplicateOf = nearDuplicates(sound, duplicateOf, t, findings);
        imageChecks(sound, t, findings);
        Map<String, Double> agreement = new LinkedHashMap<>();
        labelChecks(sound, duplicateOf, nearDuplicateOf, t, findings, agreement);
        findings.sort((a, b) -> a.line() != b.line() ? Integer.compare(a.line(), b.line()) : a.check().compareTo(b.check()));
        return new Outcome(List.copyOf(findings), report(items, sound, findings, t, agreement));
    }

    /** Identical image bytes and text: every later copy is flagged, naming the first. */
    private static Map<String, String> exactDuplicates(List<ItemFeatures> items, List<Finding> findings) {
        Map<String, ItemFeatures> first = new HashMap<>();
        Map<String, String> duplicateOf = new HashMap<>();
        for (ItemFeatures item : items) {
            ItemFeatures original = first.putIfAbsent(item.contentHash(), item);
            if (original != null) {
                duplicateOf.put(item.id(), original.id());
                findings.add(new Finding(item.line(), item.id(), Check.EXACT_DUPLICATE, 1,
                        "the same image and text as " + original.id() + " (line " + original.line() + ")", original.id()));
            }
        }
        return duplicateOf;
    }

    /**
     * Near copies: texts whose embeddings are at least {@code nearDuplicateText} alike and images
     * whose thumbnails correlate at least {@code nearDuplicateImage} once a crop lines them up. With both
     * modalities, both must be alike; with one, that one must be (the text bar raised halfway to 1,
     * the image bar halved, since one modality is weaker evidence).
     */
    private static Map<String, String> nearDuplicates(List<ItemFeatures> items, Map<String, String> duplicateOf, QualityThresholds t,
                                                      List<Finding> findings) {
        Map<String, String> nearOf = new HashMap<>();
        for (int j = 0; j < items.size(); j++) {
            ItemFeatures b = items.get(j);
            if (duplicateOf.containsKey(b.id())) {
                continue;
            }
            double best = -1;
            ItemFeatures match = null;
            for (int i = 0; i < j; i++) {
                ItemFeatures a = items.get(i);
                if (duplicateOf.containsKey(a.id()) || nearOf.containsKey(a.id())) {
                    continue;
                }
                double score = nearDuplicateScore(a, b, t);
                if (score > best) {
                    best = score;
                    match = a;
                }
            }
            if (match != null && best >= 0) {
                nearOf.put(b.id(), match.id());
                findings.add(new Finding(b.line(), b.id(), Check.NEAR_DUPLICATE, Math.min(1, best),
                        String.format(Locale.ROOT, "a near copy of %s (line %d)%s", match.id(), match.line(), describePair(match, b)), match.id()));
            }
        }
        return nearOf;
    }

    /** A score in [0, 1] when the pair passes the thresholds, -1 when it does not. */
    private static double nearDuplicateScore(ItemFeatures a, ItemFeatures b, QualityThresholds t) {
        boolean texts = a.textEmbedding() != null && b.textEmbedding() != null;
        boolean images = a.image() != null && b.image() != null;
        double textCos = texts ? cosine(a.textEmbedding(), b.textEmbedding()) : 0;
        double look = images ? ImageMeasures.likeness(a.image(), b.image()) : -1;
        if (texts && images) {
            return textCos >= t.nearDuplicateText() && look >= t.nearDuplicateImage() ? (textCos + look) / 2 : -1;
        }
        if (texts && a.image() == null && b.image() == null) {
            double bar = (1 + t.nearDuplicateText()) / 2;
            return textCos >= bar ? textCos : -1;
        }
        if (images && a.textEmbedding() == null && b.textEmbedding() == null) {
            double bar = (1 + t.nearDuplicateImage()) / 2;
            return look >= bar ? look : -1;
        }
        return -1;
    }

    private static String describePair(ItemFeatures a, ItemFeatures b) {
        List<String> parts = new ArrayList<>();
        if (a.textEmbedding() != null && b.textEmbedding() != null) {
            parts.add(String.format(Locale.ROOT, "text cosine %.3f", cosine(a.textEmbedding(), b.textEmbedding())));
        }
        if (a.image() != null && b.image() != null) {
            parts.add(String.format(Locale.ROOT, "image likeness %.3f", ImageMeasures.likeness(a.image(), b.image())));
        }
        return parts.isEmpty() ? "" : ": " + String.join(", ", parts);
    }

    /** Blur and exposure, against the dataset's medians. */
    private static void imageChecks(List<ItemFeatures> items, QualityThresholds t, List<Finding> findings) {
        List<ItemFeatures> withImage = items.stream().filter(i -> i.image() != null).toList();
        if (withImage.isEmpty()) {
            return;
        }
        double medianSharpness = median(withImage.stream().mapToDouble(i -> i.image().sharpness()).toArray());
        Map<String, Double> medianLuminanceByLabel = new HashMap<>();
        double overallLuminance = median(withImage.stream().mapToDouble(i -> i.image().meanLuminance()).toArray());
        Map<String, List<ItemFeatures>> byLabel = new HashMap<>();
        withImage.forEach(i -> byLabel.computeIfAbsent(String.valueOf(i.label()), k -> new ArrayList<>()).add(i));
        byLabel.forEach((label, list) -> medianLuminanceByLabel.put(label,
                list.size() >= 5 ? median(list.stream().mapToDouble(i -> i.image().meanLuminance()).toArray()) : overallLuminance));
        for (ItemFeatures item : withImage) {
            ImageMeasures m = item.image();
            double reference = medianLuminanceByLabel.get(String.valueOf(item.label()));
            double luminanceRatio = reference <= 0 ? 1 : m.meanLuminance() / reference;
            boolean dark = luminanceRatio < t.darkRatio();
            if (dark) {
                findings.add(new Finding(item.line(), item.id(), Check.UNDEREXPOSED_IMAGE, clamp(1 - luminanceRatio),
                        String.format(Locale.ROOT, "mean luminance %.3f is %.0f%% of the median %.3f of images labelled %s",
                                m.meanLuminance(), 100 * luminanceRatio, reference, item.label()), null));
            }
            if (m.brightShare() > t.brightShare()) {
                findings.add(new Finding(item.line(), item.id(), Check.OVEREXPOSED_IMAGE, clamp(m.brightShare()),
                        String.format(Locale.ROOT, "%.0f%% of the pixels are blown out", 100 * m.brightShare()), null));
            }
            double sharpnessRatio = medianSharpness <= 0 ? 1 : m.sharpness() / medianSharpness;
            if (sharpnessRatio < t.blurRatio()) {
                findings.add(new Finding(item.line(), item.id(), Check.BLURRED_IMAGE, clamp(1 - sharpnessRatio),
                        String.format(Locale.ROOT, "sharpness %.4f is %.0f%% of the dataset's median %.4f",
                                m.sharpness(), 100 * sharpnessRatio, medianSharpness), null));
            }
        }
    }

    /**
     * For each labelled item, the share of its neighbours that carry its label, per modality
     * (copies of the item are not its neighbours: they would vouch for their own label). Both
     * shares low: label noise. One high and one low: the modalities disagree.
     */
    private static void labelChecks(List<ItemFeatures> items, Map<String, String> duplicateOf, Map<String, String> nearOf,
                                    QualityThresholds t, List<Finding> findings, Map<String, Double> agreement) {
        List<ItemFeatures> labelled = items.stream().filter(i -> i.label() != null).toList();
        TextPrototypes textPrototypes = new TextPrototypes(labelled);
        float[][] layouts = new float[labelled.size()][];
        for (int i = 0; i < layouts.length; i++) {
            layouts[i] = labelled.get(i).image() == null ? null : labelled.get(i).image().colourHistogram();
        }
        Double[] textSupport = new Double[labelled.size()];
        Double[] imageSupport = new Double[labelled.size()];
        for (int i = 0; i < labelled.size(); i++) {
            ItemFeatures item = labelled.get(i);
            textSupport[i] = item.textEmbedding() == null ? null : textPrototypes.support(item.textEmbedding(), item.label());
            imageSupport[i] = layouts[i] == null ? null : support(labelled, i, duplicateOf, nearOf, t.neighbours(),
                    (a, b) -> layouts[b] == null ? Double.NaN : -euclidean(layouts[a], layouts[b]));
        }
        agreement.put("text", agreement(textSupport));
        agreement.put("image", agreement(imageSupport));
        for (int i = 0; i < labelled.size(); i++) {
            ItemFeatures item = labelled.get(i);
            Double text = textSupport[i];
            Double image = imageSupport[i];
            double noise;
            if (text != null && image != null) {
                noise = 1 - Math.max(text, image);
            } else if (text != null) {
                noise = 1 - text;
            } else if (image != null) {
                noise = 1 - image;
            } else {
                continue;
            }
            if (noise >= t.labelNoise()) {
                findings.add(new Finding(item.line(), item.id(), Check.LABEL_NOISE, clamp(noise),
                        String.format(Locale.ROOT, "labelled %s, but %s", item.label(), supportWords(text, image)), null));
            } else if (text != null && image != null && text <= t.mismatchTextSupport() && image >= 0.5) {
                // Only the text accuses: its tower is a pretrained language model, while the image side is a colour
                // histogram (no image encoder is configured), too weak to overrule a text and a label that agree.
                findings.add(new Finding(item.line(), item.id(), Check.CROSS_MODAL_MISMATCH, clamp(1 - text),
                        String.format(Locale.ROOT, "the text does not match the image labelled %s: %s", item.label(),
                                supportWords(text, image)), null));
            }
        }
    }

    /** The share of items whose modality supports their label at least half; null when no item has the modality. */
    private static Double agreement(Double[] supports) {
        int n = 0;
        int agree = 0;
        for (Double s : supports) {
            if (s != null) {
                n++;
                agree += s >= 0.5 ? 1 : 0;
            }
        }
        return n == 0 ? null : agree / (double) n;
    }

    /**
     * The texts' class prototypes: the mean embedding of the texts with each label. Reports of one
     * kind of incident share little wording item by item (places and reporters differ), but their
     * mean shows what the kind is about; an item's support for its label is the softmax weight of
     * its label's prototype among all prototypes, the item's own text taken out of its label's.
     */
    private static final class TextPrototypes {
        private static final double TEMPERATURE = Double.parseDouble(System.getProperty("civitas.quality.temperature", "0.02"));
        private final Map<String, double[]> sums = new LinkedHashMap<>();
        private final Map<String, Integer> counts = new HashMap<>();

        TextPrototypes(List<ItemFeatures> labelled) {
            for (ItemFeatures i : labelled) {
                if (i.textEmbedding() == null) {
                    continue;
                }
                double[] sum = sums.computeIfAbsent(i.label(), k -> new double[i.textEmbedding().length]);
                for (int d = 0; d < sum.length; d++) {
                    sum[d] += i.textEmbedding()[d];
                }
                counts.merge(i.label(), 1, Integer::sum);
            }
        }

        Double support(float[] text, String label) {
            if (sums.size() < 2) {
                return null;
            }
            double max = Double.NEGATIVE_INFINITY;
            Map<String, Double> sims = new HashMap<>();
            for (Map.Entry<String, double[]> e : sums.entrySet()) {
                boolean own = e.getKey().equals(label);
                int n = counts.get(e.getKey()) - (own ? 1 : 0);
                if (n == 0) {
                    continue;
                }
                double[] centre = e.getValue().clone();
                if (own) {
                    for (int d = 0; d < centre.length; d++) {
                        centre[d] -= text[d];
                    }
                }
                double dot = 0;
                double norm = 0;
                double tn = 0;
                for (int d = 0; d < centre.length; d++) {
                    dot += centre[d] * text[d];
                    norm += centre[d] * centre[d];
                    tn += (double) text[d] * text[d];
                }
                double sim = norm == 0 || tn == 0 ? 0 : dot / Math.sqrt(norm * tn);
                sims.put(e.getKey(), sim);
                max = Math.max(max, sim);
            }
            if (!sims.containsKey(label)) {
                return null;
            }
            double total = 0;
            for (double sim : sims.values()) {
                total += Math.exp((sim - max) / TEMPERATURE);
            }
            return Math.exp((sims.get(label) - max) / TEMPERATURE) / total;
        }
    }

    /** The similarity of two items given by their indices; NaN when they cannot be compared. */
    private interface Similarity {
        double of(int a, int b);
    }

    /** The share of the item's k most similar labelled items that carry its label; null when it has no comparable neighbours. */
    private static Double support(List<ItemFeatures> items, int index, Map<String, String> duplicateOf, Map<String, String> nearOf,
                                  int k, Similarity similarity) {
        ItemFeatures item = items.get(index);
        String self = item.id();
        String original = originalOf(self, duplicateOf, nearOf);
        List<double[]> scored = new ArrayList<>();
        for (int j = 0; j < items.size(); j++) {
            ItemFeatures other = items.get(j);
            if (j == index || originalOf(other.id(), duplicateOf, nearOf).equals(original)) {
                continue;
            }
            double s = similarity.of(index, j);
            if (!Double.isNaN(s)) {
                scored.add(new double[] {s, j});
            }
        }
        if (scored.isEmpty()) {
            return null;
        }
        scored.sort((a, b) -> Double.compare(b[0], a[0]));
        int agree = 0;
        int n = Math.min(k, scored.size());
        for (int r = 0; r < n; r++) {
            if (item.label().equals(items.get((int) scored.get(r)[1]).label())) {
                agree++;
            }
        }
        return agree / (double) n;
    }

    private static String originalOf(String id, Map<String, String> duplicateOf, Map<String, String> nearOf) {
        String at = id;
        for (int hops = 0; hops < 4; hops++) {
            String next = duplicateOf.containsKey(at) ? duplicateOf.get(at) : nearOf.get(at);
            if (next == null) {
                return at;
            }
            at = next;
        }
        return at;
    }

    private static String supportWords(Double text, Double image) {
        List<String> parts = new ArrayList<>();
        if (text != null) {
            parts.add(String.format(Locale.ROOT, "the text supports that label at %.0f%%", 100 * text));
        }
        if (image != null) {
            parts.add(String.format(Locale.ROOT, "%.0f%% of the nearest images carry it", 100 * image));
        }
        return String.join(" and ", parts);
    }

    private static QualityReport report(List<ItemFeatures> items, List<ItemFeatures> sound, List<Finding> findings, QualityThresholds t,
                                        Map<String, Double> agreement) {
        Map<String, Integer> counts = new LinkedHashMap<>();
        Map<String, List<Integer>> histograms = new LinkedHashMap<>();
        for (Check c : Check.values()) {
            counts.put(c.key(), 0);
        }
        Map<String, int[]> bins = new LinkedHashMap<>();
        for (Finding f : findings) {
            counts.merge(f.check().key(), 1, Integer::sum);
            bins.computeIfAbsent(f.check().key(), k -> new int[QualityReport.BINS])[bin(f.score(), 1)]++;
        }
        bins.forEach((k, v) -> histograms.put(k, boxed(v)));
        Outcome outcome = new Outcome(findings, null);
        int excluded = outcome.excludedLines().size();
        int redacted = outcome.redactedLines().size();
        List<ItemFeatures> withImage = sound.stream().filter(i -> i.image() != null).toList();
        int[] sharpness = new int[QualityReport.BINS];
        int[] luminance = new int[QualityReport.BINS];
        if (!withImage.isEmpty()) {
            double median = median(withImage.stream().mapToDouble(i -> i.image().sharpness()).toArray());
            for (ItemFeatures i : withImage) {
                sharpness[bin(median <= 0 ? 1 : i.image().sharpness() / median, 2)]++;
                luminance[bin(i.image().meanLuminance(), 1)]++;
            }
        }
        return new QualityReport(items.size(), excluded, redacted, items.size() - excluded, Collections.unmodifiableMap(counts),
                Collections.unmodifiableMap(histograms), boxed(sharpness), boxed(luminance), agreement.get("text"), agreement.get("image"), t);
    }

    private static int bin(double value, double max) {
        return (int) Math.max(0, Math.min(QualityReport.BINS - 1, Math.floor(value / max * QualityReport.BINS)));
    }

    private static List<Integer> boxed(int[] v) {
        return Arrays.stream(v).boxed().toList();
    }

    static double cosine(float[] a, float[] b) {
        double dot = 0;
        double na = 0;
        double nb = 0;
        for (int i = 0; i < a.length; i++) {
            dot += a[i] * b[i];
            na += a[i] * a[i];
            nb += b[i] * b[i];
        }
        return na == 0 || nb == 0 ? 0 : dot / Math.sqrt(na * nb);
    }

    private static double euclidean(float[] a, float[] b) {
        double s = 0;
        for (int i = 0; i < a.length; i++) {
            double d = a[i] - b[i];
            s += d * d;
        }
        return Math.sqrt(s);
    }

    private static double median(double[] values) {
        double[] v = values.clone();
        Arrays.sort(v);
        return v.length % 2 == 1 ? v[v.length / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
    }

    private static double clamp(double v) {
        return Math.max(0, Math.min(1, v));
    }
}
