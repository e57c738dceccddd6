package org.civitas.domain.dataset;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.FetchType;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.GenerationType;
import jakarta.persistence.Id;
import jakarta.persistence.JoinColumn;
import jakarta.persistence.ManyToOne;
import jakarta.persistence.Table;
import org.civitas.domain.consortium.Codes;
import org.civitas.domain.consortium.Site;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A dataset a site registered: its name, sizes, modality counts, label histogram and content hash.
 * Immutable: the same name with other content is the name's next version, beside the earlier ones,
 * so a plan that pinned an earlier version's content hash still finds it.
 */
@Entity
@Table(name = "dataset_registration")
public class DatasetRegistration {

    private static final Pattern ENTRY = Pattern.compile("\"([^\"]+)\":([0-9]+)");

    @Id
    @GeneratedValue(strategy = GenerationType.IDENTITY)
    private Long id;

    @ManyToOne(optional = false, fetch = FetchType.EAGER)
    @JoinColumn(name = "site_id", nullable = false)
    private Site site;

    @Column(nullable = false, length = 100)
    private String name;

    @Column(nullable = false)
    private int samples;

    @Column(nullable = false)
    private int images;

    @Column(nullable = false)
    private int texts;

    @Column(nullable = false)
    private int labeled;

    @Column(name = "label_histogram", nullable = false, length = 100_000)
    private String labelHistogram;

    @Column(name = "skipped_lines", nullable = false)
    private int skippedLines;

    @Column(name = "content_sha256", nullable = false, length = 64)
    private String contentSha256;

    @Column(name = "registered_at", nullable = false)
    private Instant registeredAt;

    /** 1 for a name's first content, then one more for each new content under the same name. */
    @Column(nullable = false)
    private int version = 1;

    /** The task whose labels the dataset carries, and its version; none for the built-in feature table. */
    @Column(name = "task_name", length = 64)
    private String taskName;

    @Column(name = "task_version")
    private Integer taskVersion;

    protected DatasetRegistration() {
    }

    public DatasetRegistration(Site site, String name, int samples, int images, int texts, int labeled,
                               Map<String, Integer> labelHistogram, int skippedLines, String contentSha256, Instant now) {
        Codes.require(name, "dataset name");
        if (samples < 1 || images < 0 || texts < 0 || labeled < 0 || images > samples || texts > samples || labeled > samples
                || skippedLines < 0) {
            throw new IllegalArgumentException("dataset counts are inconsistent: " + samples + " samples, " + images + " images, "
                    + texts + " texts, " + labeled + " labelled, " + skippedLines + " skipped");
        }
        if (labelHistogram.size() > org.civitas.domain.task.TaskDefinition.MAX_LABELS) {
            throw new IllegalArgumentException("the label histogram names " + labelHistogram.size() + " labels, more than the "
                    + org.civitas.domain.task.TaskDefinition.MAX_LABELS + " a task may have");
        }
        int histogramTotal = labelHistogram.values().stream().mapToInt(Integer::intValue).sum();
        if (histogramTotal != labeled) {
            throw new IllegalArgumentException("label histogram counts " + histogramTotal + " samples, but " + labeled + " are labelled");
        }
        if (contentSha256 == null || !contentSha256.matches("[0-9a-f]{64}")) {
            throw new IllegalArgumentException("contentSha256 must be 64 hex digits");
        }
        this.site = site;
        this.name = name;
        this.samples = samples;
        this.images = images;
        this.texts = texts;
        this.labeled = labeled;
        StringBuilder json = new StringBuilder("{");
        new TreeMap<>(labelHistogram).forEach((k, v) -> {
            if (!org.civitas.domain.task.TaskDefinition.isLabel(k)) {
                throw new IllegalArgumentException("label '" + k + "' " + org.civitas.domain.task.TaskDefinition.LABEL_RULE);
            }
            json.append(json.length() > 1 ? "," : "").append('"').append(k).append("\":").append(v);
        });
        this.labelHistogram = json.append('}').toString();
        this.skippedLines = skippedLines;
        this.contentSha256 = contentSha256;
        this.registeredAt = now;
    }

    /** Names the task version whose labels the dataset carries (checked against them by the caller). */
    public DatasetRegistration forTask(String taskName, int taskVersion) {
        this.taskName = taskName;
        this.taskVersion = taskVersion;
        return this;
    }

    public String getTaskName() {
        return taskName;
    }

    public Integer getTaskVersion() {
        return taskVersion;
    }

    /** Numbers this registration as a later version of its name. */
    public void numbered(int version) {
        if (version < 1) {
            throw new IllegalArgumentException("a dataset version starts at 1, was " + version);
        }
        this.version = version;
    }

    public int getVersion() {
        return version;
    }

    public Long getId() {
        return id;
    }

    public Site getSite() {
        return site;
    }

    public String getName() {
        return name;
    }

    public int getSamples() {
        return samples;
    }

    public int getImages() {
        return images;
    }

    public int getTexts() {
        return texts;
    }

    public int getLabeled() {
        return labeled;
    }

    public Map<String, Integer> getLabelHistogram() {
        Map<String, Integer> histogram = new LinkedHashMap<>();
        Matcher m = ENTRY.matcher(labelHistogram);
        while (m.find()) {
            histogram.put(m.group(1), Integer.parseInt(m.group(2)));
        }
        return histogram;
    }

    public int getSkippedLines() {
        return skippedLines;
    }

    public String getContentSha256() {
        return contentSha256;
    }

    public Instant getRegisteredAt() {
        return registeredAt;
    }
}
