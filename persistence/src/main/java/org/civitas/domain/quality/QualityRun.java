package org.civitas.domain.quality;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.EnumType;
import jakarta.persistence.Enumerated;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.GenerationType;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

import java.time.Instant;

/** One run of the data-quality job at a site, over one manifest. */
@Entity
@Table(name = "quality_run")
public class QualityRun {

    public enum Status { STARTED, COMPLETED, FAILED }

    @Id
    @GeneratedValue(strategy = GenerationType.IDENTITY)
    private Long id;

    @Column(name = "site_code", nullable = false, length = 64)
    private String siteCode;

    @Column(name = "dataset_name", nullable = false, length = 100)
    private String datasetName;

    @Column(nullable = false, length = 500)
    private String manifest;

    @Column(name = "thresholds_json", nullable = false, length = 2000)
    private String thresholdsJson;

    @Enumerated(EnumType.STRING)
    @Column(nullable = false, length = 16)
    private Status status;

    @Column(name = "total_items", nullable = false)
    private int totalItems;

    @Column(name = "job_execution_id")
    private Long jobExecutionId;

    @Column(name = "report_json", length = 16000)
    private String reportJson;

    @Column(name = "erased_at")
    private Instant erasedAt;

    @Column(name = "curated_manifest", length = 500)
    private String curatedManifest;

    @Column(length = 2000)
    private String message;

    @Column(name = "requested_by", nullable = false, length = 64)
    private String requestedBy;

    @Column(name = "started_at", nullable = false)
    private Instant startedAt;

    @Column(name = "finished_at")
    private Instant finishedAt;

    /** The labels of the dataset's task, one per line, that the run checks the items against; none for runs before tasks. */
    @Column(length = 70000)
    private String labels;

    protected QualityRun() {
    }

    public QualityRun(String siteCode, String datasetName, String manifest, String thresholdsJson, int totalItems, String requestedBy,
                      Instant now) {
        this.siteCode = siteCode;
        this.datasetName = datasetName;
        this.manifest = manifest;
        this.thresholdsJson = thresholdsJson;
        this.totalItems = totalItems;
        this.requestedBy = requestedBy;
        this.status = Status.STARTED;
        this.startedAt = now;
    }

    /** The modalities of the dataset's task ({@code image,text} for runs before tasks named them). */
    @Column(length = 32)
    private String modalities;

    /** The run checks items against what the task reads: an item lacks only a modality the task has. */
    public QualityRun checkingModalities(java.util.Set<String> taskModalities) {
        this.modalities = String.join(",", new java.util.TreeSet<>(taskModalities));
        return this;
    }

    public java.util.Set<String> getModalities() {
        return modalities == null || modalities.isEmpty() ? java.util.Set.of("image", "text") : java.util.Set.of(modalities.split(","));
    }

    /** The run checks the items' labels against these (its dataset's task's), in their order. */
    public QualityRun checkingLabels(java.util.List<String> taskLabels) {
        this.labels = String.join("\n", taskLabels);
        return this;
    }

    /** The labels the run checks against; empty for a run started before datasets named their task. */
    public java.util.List<String> getLabels() {
        return labels == null || labels.isEmpty() ? java.util.List.of() : java.util.List.of(labels.split("\n"));
    }

    public void jobStarted(long executionId) {
        this.jobExecutionId = executionId;
    }

    public void completed(String reportJson, String curatedManifest, Instant now) {
        this.status = Status.COMPLETED;
        this.reportJson = reportJson;
        this.curatedManifest = curatedManifest;
        this.message = null;
        this.finishedAt = now;
    }

    /** What went wrong while the job still runs (its other partitions finish first); the first problem is kept. */
    public void problem(String reason) {
        if (this.message == null) {
            this.message = limit(reason);
        }
    }

    /** The job ended without completing; the reason is the first problem recorded, if any. */
    public void failed(String reason, Instant now) {
        this.status = Status.FAILED;
        this.message = this.message != null ? this.message : limit(reason == null ? "failed" : reason);
        this.finishedAt = now;
    }

    private static String limit(String s) {
        return s.length() > 2000 ? s.substring(0, 1997) + "..." : s;
    }

    /** A restart of the failed job picks the run up again where its partitions stopped. */
    public void restarted(long executionId) {
        this.status = Status.STARTED;
        this.jobExecutionId = executionId;
        this.message = null;
        this.finishedAt = null;
    }

    public Long getId() {
        return id;
    }

    public String getSiteCode() {
        return siteCode;
    }

    public String getDatasetName() {
        return datasetName;
    }

    public String getManifest() {
        return manifest;
    }

    public String getThresholdsJson() {
        return thresholdsJson;
    }

    public Status getStatus() {
        return status;
    }

    public int getTotalItems() {
        return totalItems;
    }

    public Long getJobExecutionId() {
        return jobExecutionId;
    }

    public String getReportJson() {
        return reportJson;
    }

    /** Records that the run's findings, items and curated manifest were erased under an agreement's retention; its report stays. */
    public void erased(Instant now) {
        this.erasedAt = now;
    }

    public Instant getErasedAt() {
        return erasedAt;
    }

    public String getCuratedManifest() {
        return curatedManifest;
    }

    public String getMessage() {
        return message;
    }

    public String getRequestedBy() {
        return requestedBy;
    }

    public Instant getStartedAt() {
        return startedAt;
    }

    public Instant getFinishedAt() {
        return finishedAt;
    }
}
