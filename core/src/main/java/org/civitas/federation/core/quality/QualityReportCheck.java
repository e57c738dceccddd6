package org.civitas.federation.core.quality;

import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;

/**
 * What the coordinator accepts as a site's quality report: the fields of {@link QualityReport} and
 * nothing else, check names from {@link Check} only, every count a whole number between 0 and the
 * report's items, every histogram {@value QualityReport#BINS} bins, every share in [0, 1], the
 * thresholds by their names and ranges. A report comes from another enterprise's server: its keys
 * end up in pages and charts, so nothing unexpected may pass.
 */
public final class QualityReportCheck {

    /** More items than any dataset a site registers. */
    public static final long MAX_ITEMS = 1_000_000_000L;

    private static final Set<String> REQUIRED = Set.of("items", "flaggedItems", "redactedItems", "curatedItems", "findings",
            "sharpnessHistogram", "luminanceHistogram");
    private static final Set<String> OPTIONAL = Set.of("scoreHistograms", "textLabelAgreement", "imageLabelAgreement", "thresholds");
    private static final Set<String> CHECKS = Arrays.stream(Check.values()).map(Check::key).collect(Collectors.toSet());

    private QualityReportCheck() {
    }

    /**
     * Checks a parsed report (maps, lists, numbers as a JSON reader gives them).
     *
     * @return the report's items
     * @throws IllegalArgumentException naming the first field that is wrong and why
     */
    public static int check(Object parsed) {
        if (!(parsed instanceof Map<?, ?> report)) {
            throw new IllegalArgumentException("a quality report must be a JSON object");
        }
        Set<String> unknown = new TreeSet<>();
        report.keySet().forEach(k -> unknown.add(String.valueOf(k)));
        unknown.removeAll(REQUIRED);
        unknown.removeAll(OPTIONAL);
        if (!unknown.isEmpty()) {
            throw new IllegalArgumentException("a quality report carries aggregates only; unknown field '" + unknown.iterator().next() + "'");
        }
        Set<String> missing = new TreeSet<>(REQUIRED);
        missing.removeAll(keys(report));
        if (!missing.isEmpty()) {
            throw new IllegalArgumentException("a quality report needs " + missing);
        }
        long items = count("items", report.get("items"), MAX_ITEMS);
        for (String field : List.of("flaggedItems", "redactedItems", "curatedItems")) {
            count(field, report.get(field), items);
        }
        Map<?, ?> findings = object("findings", report.get("findings"));
        findings.forEach((check, n) -> count("findings." + checkName("findings", check), n, items));
        if (report.get("scoreHistograms") != null) {
            object("scoreHistograms", report.get("scoreHistograms"))
                    .forEach((check, h) -> histogram("scoreHistograms." + checkName("scoreHistograms", check), h, items));
        }
        histogram("sharpnessHistogram", report.get("sharpnessHistogram"), items);
        histogram("luminanceHistogram", report.get("luminanceHistogram"), items);
        share("textLabelAgreement", report.get("textLabelAgreement"));
        share("imageLabelAgreement", report.get("imageLabelAgreement"));
        if (report.get("thresholds") != null) {
            Map<String, Number> thresholds = new java.util.LinkedHashMap<>();
            object("thresholds", report.get("thresholds")).forEach((k, v) -> {
                if (!(v instanceof Number n)) {
                    throw new IllegalArgumentException("thresholds." + k + " must be a number");
                }
                thresholds.put(String.valueOf(k), n);
            });
            QualityThresholds.defaultsWith(thresholds);
        }
        return (int) items;
    }

    private static Set<String> keys(Map<?, ?> map) {
        Set<String> keys = new TreeSet<>();
        map.keySet().forEach(k -> keys.add(String.valueOf(k)));
        return keys;
    }

    private static String checkName(String field, Object key) {
        String name = String.valueOf(key);
        if (!CHECKS.contains(name)) {
            throw new IllegalArgumentException(field + " names an unknown check '" + shorten(name) + "' (known: " + new TreeSet<>(CHECKS) + ")");
        }
        return name;
    }

    private static long count(String field, Object value, long max) {
        if (!(value instanceof Integer || value instanceof Long) || ((Number) value).longValue() < 0 || ((Number) value).longValue() > max) {
            throw new IllegalArgumentException(field + " must be a whole number in [0, " + max + "], was " + shorten(String.valueOf(value)));
        }
        return ((Number) value).longValue();
    }

    private static Map<?, ?> object(String field, Object value) {
        if (!(value instanceof Map<?, ?> map)) {
            throw new IllegalArgumentException(field + " must be a JSON object");
        }
        return map;
    }

    private static void histogram(String field, Object value, long items) {
        if (!(value instanceof List<?> bins) || bins.size() != QualityReport.BINS) {
            throw new IllegalArgumentException(field + " must be a list of " + QualityReport.BINS + " counts");
        }
        for (Object bin : bins) {
            count(field + "[]", bin, items);
        }
    }

    private static void share(String field, Object value) {
        if (value != null && !(value instanceof Number n && n.doubleValue() >= 0 && n.doubleValue() <= 1)) {
            throw new IllegalArgumentException(field + " must be a share in [0, 1], was " + shorten(String.valueOf(value)));
        }
    }

    private static String shorten(String text) {
        return text.length() <= 60 ? text : text.substring(0, 60) + "...";
    }
}
