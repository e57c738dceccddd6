package org.civitas.worker;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.civitas.federation.core.dataset.Taxonomy;
import org.civitas.federation.core.model.manifest.ModelManifest;
import org.civitas.federation.core.quality.Check;
import org.civitas.federation.core.quality.Finding;
import org.civitas.federation.core.quality.ItemFeatures;
import org.civitas.federation.core.quality.ItemInspector;
import org.civitas.federation.core.quality.PiiScanner;
import org.civitas.federation.core.quality.QualityAnalysis;
import org.civitas.federation.core.quality.QualityThresholds;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The data-quality checks against the synthetic data's ground truth (three sites; seed 7, or
 * {@code -Dbench.seed}):
 * precision and recall per injected defect type, and throughput in records/s of the whole pass
 * (per-item inspection, text embedding with the real MiniLM tower, the checks across the dataset).
 * Duplicates are scored as pairs: a finding is right when it pairs the copy with its original,
 * whichever of the two it flags.
 *
 * <p>Run: {@code mvn -B -Pbench -pl batch-jobs/model-worker -am -DskipTests package exec:exec@data-quality}
 */
public final class DataQualityBench {

    private static final Map<String, Check> CHECK_OF_DEFECT = Map.of(
            "exact_duplicate", Check.EXACT_DUPLICATE, "near_duplicate", Check.NEAR_DUPLICATE, "label_noise", Check.LABEL_NOISE,
            "blurred_image", Check.BLURRED_IMAGE, "dark_image", Check.UNDEREXPOSED_IMAGE, "text_image_mismatch", Check.CROSS_MODAL_MISMATCH,
            "pii_in_text", Check.PII, "missing_image", Check.MISSING_MODALITY, "missing_text", Check.MISSING_MODALITY);

    public static void main(String[] args) throws Exception {
        ObjectMapper json = new ObjectMapper();
        Map<Check, int[]> tally = new LinkedHashMap<>(); // true positives, findings, truths
        long items = 0;
        long nanos = 0;
        long seed = Long.getLong("bench.seed", 7);
        Path data = Files.createTempDirectory("civitas-quality-bench");
        new org.civitas.federation.core.dataset.CitySafetyGenerator(org.civitas.federation.core.dataset.CitySafetyGenerator.Config.defaults(seed))
                .generateAll(data);
        System.out.println("Synthetic city-safety data, seed " + seed);
        try (TextTower text = new TextTower(ModelManifest.citySafetyDefault().text(), "cpu", 2)) {
            text.embed(List.of("warm up the tower")); // the tower's load is the worker's start, not the pass
            for (String site : new String[] {Taxonomy.ENERGY, Taxonomy.COMMUNITY, Taxonomy.URBAN}) {
                Path manifest = data.resolve(site).resolve("train.jsonl");
                long start = System.nanoTime();
                QualityAnalysis.Outcome outcome = check(manifest, text, thresholds());
                nanos += System.nanoTime() - start;
                items += outcome.report().items();
                score(data, site, json, outcome.findings(), tally);
                System.out.printf(Locale.ROOT, "%s: labels agree with the text at %.3f, with the nearest images at %.3f%n", site,
                        outcome.report().textLabelAgreement(), outcome.report().imageLabelAgreement());
            }
        }
        System.out.println();
        System.out.println("| defect | check | found | flagged | injected | precision | recall |");
        System.out.println("|---|---|---|---|---|---|---|");
        for (Map.Entry<Check, int[]> e : tally.entrySet()) {
            int[] t = e.getValue();
            System.out.printf(Locale.ROOT, "| %s | %s | %d | %d | %d | %.2f | %.2f |%n", defectsOf(e.getKey()), e.getKey().key(), t[0], t[1], t[2],
                    t[1] == 0 ? 0.0 : t[0] / (double) t[1], t[2] == 0 ? 0.0 : t[0] / (double) t[2]);
        }
        System.out.printf(Locale.ROOT, "%nThroughput: %d records in %.2f s = %.1f records/s (inspection, MiniLM embedding, checks)%n",
                items, nanos / 1e9, items / (nanos / 1e9));
    }

    /** The whole quality pass over one manifest, as the job runs it: inspection, text embedding, the checks. */
    static QualityAnalysis.Outcome check(Path manifest, TextTower text, QualityThresholds thresholds) throws Exception {
        ObjectMapper json = new ObjectMapper();
        List<String> lines = Files.readAllLines(manifest, StandardCharsets.UTF_8);
        ItemInspector inspector = new ItemInspector(manifest.getParent(), new HashSet<>(Taxonomy.LABELS), PiiScanner.withDefaultNames());
        List<ItemFeatures> features = new ArrayList<>();
        for (int i = 0; i < lines.size(); i++) {
            features.add(inspector.inspect(i + 1, lines.get(i)));
        }
        List<String> texts = features.stream().map(f -> f.hasText() ? textOf(json, lines.get(f.line() - 1)) : null).toList();
        float[][] vectors = text.embed(texts);
        for (int i = 0; i < features.size(); i++) {
            if (features.get(i).hasText()) {
                features.set(i, features.get(i).withTextEmbedding(vectors[i]));
            }
        }
        return QualityAnalysis.analyse(features, thresholds);
    }

    /** The defaults, with changes from {@code -Dbench.thresholds=name=value,...}. */
    private static QualityThresholds thresholds() {
        Map<String, Double> changes = new LinkedHashMap<>();
        for (String pair : System.getProperty("bench.thresholds", "").split(",")) {
            if (pair.contains("=")) {
                changes.put(pair.substring(0, pair.indexOf('=')).strip(), Double.valueOf(pair.substring(pair.indexOf('=') + 1)));
            }
        }
        return QualityThresholds.defaultsWith(changes);
    }

    private static String defectsOf(Check check) {
        return String.join(", ", CHECK_OF_DEFECT.entrySet().stream().filter(e -> e.getValue() == check).map(Map.Entry::getKey).sorted().toList());
    }

    private static String textOf(ObjectMapper json, String line) {
        try {
            return json.readTree(line).path("text").asText(null);
        } catch (Exception e) {
            return null;
        }
    }

    private static void score(Path data, String site, ObjectMapper json, List<Finding> findings, Map<Check, int[]> tally) throws Exception {
        Map<Check, Set<String>> truth = new LinkedHashMap<>();
        for (String line : Files.readAllLines(data.resolve(site).resolve("ground_truth.jsonl"))) {
            JsonNode t = json.readTree(line);
            Check check = CHECK_OF_DEFECT.get(t.path("meta").path("defect").asText());
            String source = t.path("meta").path("source").asText(null);
            truth.computeIfAbsent(check, k -> new HashSet<>()).add(pairKey(t.path("id").asText(), source));
        }
        Map<Check, Set<String>> found = new LinkedHashMap<>();
        for (Finding f : findings) {
            found.computeIfAbsent(f.check(), k -> new HashSet<>()).add(pairKey(f.id(), f.relatedId()));
        }
        Set<Check> checks = new java.util.TreeSet<>(truth.keySet());
        checks.addAll(found.keySet());
        for (Check c : checks) {
            Set<String> t = truth.getOrDefault(c, Set.of());
            Set<String> f = found.getOrDefault(c, Set.of());
            Set<String> hit = new HashSet<>(f);
            hit.retainAll(t);
            int[] sum = tally.computeIfAbsent(c, k -> new int[3]);
            sum[0] += hit.size();
            sum[1] += f.size();
            sum[2] += t.size();
            if (Boolean.getBoolean("bench.verbose")) {
                Set<String> fp = new HashSet<>(f);
                fp.removeAll(t);
                Set<String> fn = new HashSet<>(t);
                fn.removeAll(f);
                System.out.println(site + " " + c + " false+ " + fp + " missed " + fn);
                for (Finding x : findings) {
                    if (x.check() == c && c != Check.PII) {
                        System.out.println("  " + (t.contains(pairKey(x.id(), x.relatedId())) ? "RIGHT " : "WRONG ") + x.id() + " " + x.reason());
                    }
                }
            }
        }
    }

    /** An item, or a pair of items in a stable order, as the ground truth and the findings both name them. */
    private static String pairKey(String id, String related) {
        if (related == null) {
            return id;
        }
        return id.compareTo(related) < 0 ? id + "+" + related : related + "+" + id;
    }
}
