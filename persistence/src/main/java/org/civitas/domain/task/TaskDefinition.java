package org.civitas.domain.task;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.GenerationType;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import org.civitas.domain.consortium.Codes;
import org.civitas.domain.federation.CanonicalJson;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;

/**
 * One version of a task: its name, what it is for, its labels in a stable order (the order is the
 * model head's), the modalities its samples carry and the metric a model of it is judged by. A
 * version never changes once registered: a change is the next version, so that whatever names a
 * version (a plan, a dataset, a model) keeps meaning the same thing. The version's SHA-256 over its
 * canonical JSON lets others pin it.
 */
@Entity
@Table(name = "task_definition")
public class TaskDefinition {

    /** The modalities a task's samples may carry. */
    public static final Set<String> MODALITIES = Set.of("image", "text");
    /** The metrics the registry computes for a model version on a test split. */
    public static final Set<String> METRICS = Set.of("macro-f1", "accuracy");
    public static final int MIN_LABELS = 2;
    public static final int MAX_LABELS = 1000;
    public static final int MAX_LABEL_LENGTH = 64;
    public static final int MAX_DESCRIPTION_LENGTH = 2000;

    @Id
    @GeneratedValue(strategy = GenerationType.IDENTITY)
    private Long id;

    @Column(nullable = false, length = 64)
    private String name;

    @Column(nullable = false)
    private int version;

    @Column(nullable = false, length = MAX_DESCRIPTION_LENGTH)
    private String description;

    /** The labels in their order, one per line (a label holds no control character). */
    @Column(nullable = false, length = 70000)
    private String labels;

    @Column(name = "label_count", nullable = false)
    private int labelCount;

    /** Sorted, comma-separated. */
    @Column(nullable = false, length = 32)
    private String modalities;

    @Column(name = "primary_metric", nullable = false, length = 32)
    private String primaryMetric;

    @Column(nullable = false, length = 64)
    private String sha256;

    @Column(name = "registered_by", nullable = false, length = 64)
    private String registeredBy;

    @Column(name = "registered_at", nullable = false)
    private Instant registeredAt;

    protected TaskDefinition() {
    }

    /** What defines a task, as its administrator gives it. */
    public record Spec(String name, String description, List<String> labels, Set<String> modalities, String primaryMetric) {

        /** Every problem with the spec at once, or none. */
        public List<String> problems() {
            List<String> problems = new ArrayList<>();
            try {
                Codes.require(name, "task name");
            } catch (IllegalArgumentException e) {
                problems.add(e.getMessage());
            }
            if (description == null || description.isBlank() || description.length() > MAX_DESCRIPTION_LENGTH) {
                problems.add("description must be 1-" + MAX_DESCRIPTION_LENGTH + " characters");
            }
            if (labels == null || labels.size() < MIN_LABELS || labels.size() > MAX_LABELS) {
                problems.add("labels must be " + MIN_LABELS + " to " + MAX_LABELS + ", was " + (labels == null ? 0 : labels.size()));
            } else {
                labels.stream().filter(l -> !isLabel(l)).findFirst().ifPresent(l -> problems.add("label '" + l + "' " + LABEL_RULE));
                if (!duplicateLabels().isEmpty()) {
                    problems.add("labels must be distinct; given more than once: " + duplicateLabels());
                }
            }
            if (modalities == null || modalities.isEmpty() || !MODALITIES.containsAll(modalities)) {
                problems.add("modalities must be some of " + new TreeSet<>(MODALITIES) + ", was " + modalities);
            }
            if (primaryMetric == null || !METRICS.contains(primaryMetric)) {
                problems.add("primaryMetric must be one of " + new TreeSet<>(METRICS) + ", was " + primaryMetric);
            }
            return problems;
        }

        /** The labels given more than once, in their first order; none for a well-formed spec. */
        public List<String> duplicateLabels() {
            if (labels == null) {
                return List.of();
            }
            Set<String> seen = new java.util.HashSet<>();
            return labels.stream().filter(l -> !seen.add(l)).distinct().toList();
        }

    }

    /** What a label must be, said when one is not. */
    public static final String LABEL_RULE = "must be 1-" + MAX_LABEL_LENGTH
            + " characters with no quote, backslash or control character and no space at either end";

    /** Whether a text can be a label: it travels in JSON, histograms and file lines as it is. */
    public static boolean isLabel(String label) {
        return label != null && !label.isEmpty() && label.length() <= MAX_LABEL_LENGTH && label.strip().equals(label)
                && label.chars().noneMatch(c -> Character.isISOControl(c) || c == '"' || c == '\\');
    }

    public TaskDefinition(Spec spec, int version, String registeredBy, Instant now) {
        List<String> problems = spec.problems();
        if (version < 1) {
            problems.add("version must be at least 1, was " + version);
        }
        if (!problems.isEmpty()) {
            throw new IllegalArgumentException("invalid task: " + String.join("; ", problems));
        }
        this.name = spec.name();
        this.version = version;
        this.description = spec.description();
        this.labels = String.join("\n", spec.labels());
        this.labelCount = spec.labels().size();
        this.modalities = String.join(",", new TreeSet<>(spec.modalities()));
        this.primaryMetric = spec.primaryMetric();
        this.registeredBy = registeredBy;
        // As the column keeps it (microseconds), so that the answer to a registration equals a later read
        this.registeredAt = now.truncatedTo(java.time.temporal.ChronoUnit.MICROS);
        this.sha256 = CanonicalJson.sha256(canonicalJson());
    }

    /** What the version's hash is taken over: every defining field, in RFC 8785 form. */
    public String canonicalJson() {
        return CanonicalJson.of("{\"name\":" + CanonicalJson.string(name) + ",\"version\":" + version + ",\"description\":"
                + CanonicalJson.string(description) + ",\"labels\":["
                + getLabels().stream().map(CanonicalJson::string).collect(Collectors.joining(",")) + "],\"modalities\":["
                + Arrays.stream(modalities.split(",")).map(CanonicalJson::string).collect(Collectors.joining(",")) + "],\"primaryMetric\":"
                + CanonicalJson.string(primaryMetric) + "}");
    }

    public Long getId() {
        return id;
    }

    public String getName() {
        return name;
    }

    public int getVersion() {
        return version;
    }

    public String getDescription() {
        return description;
    }

    /** The labels in their order: label i is the model head's output i. */
    public List<String> getLabels() {
        return List.of(labels.split("\n"));
    }

    public int getLabelCount() {
        return labelCount;
    }

    public Set<String> getModalities() {
        return new LinkedHashSet<>(Arrays.asList(modalities.split(",")));
    }

    public String getPrimaryMetric() {
        return primaryMetric;
    }

    public String getSha256() {
        return sha256;
    }

    public String getRegisteredBy() {
        return registeredBy;
    }

    public Instant getRegisteredAt() {
        return registeredAt;
    }
}
