package org.civitas.domain.scoring;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.EnumType;
import jakarta.persistence.Enumerated;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.GenerationType;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

import java.time.Instant;

/**
 * One run of the batch-scoring job at a site: one manifest scored with one released model version.
 * A run asked for outside the site's windows waits for the next one; a run whose window closes is
 * paused after its partitions' current chunks and resumes in the next window.
 */
@Entity
@Table(name = "scoring_run")
public class ScoringRun {

    public enum Status { WAITING, STARTED, PAUSED, COMPLETED, FAILED }

    @Id
    @GeneratedValue(strategy = GenerationType.IDENTITY)
    private Long id;

    @Column(name = "site_code", nullable = false, length = 64)
    private String siteCode;

    @Column(nullable = false, length = 500)
    private String manifest;

    @Column(name = "model_sha256", nullable = false, length = 64)
    private String modelSha256;

    @Column(name = "manifest_sha256", nullable = false, length = 64)
    private String manifestSha256;

    @Column(name = "federation_id", nullable = false)
    private long federationId;

    @Column(name = "model_version", nullable = false)
    private int modelVersion;

    @Enumerated(EnumType.STRING)
    @Column(nullable = false, length = 16)
    private Status status;

    @Column(name = "total_lines", nullable = false)
    private int totalLines;

    @Column(name = "shard_lines", nullable = false)
    private int shardLines;

    @Column(name = "job_execution_id")
    private Long jobExecutionId;

    /** The predictions' JSONL file, inside the site's folder, once written. */
    @Column(length = 500)
    private String output;

    @Column(name = "summary_json", length = 70000)
    private String summaryJson;

    @Column(length = 2000)
    private String message;

    @Column(name = "requested_by", nullable = false, length = 64)
    private String requestedBy;

    @Column(name = "started_at", nullable = false)
    private Instant startedAt;

    @Column(name = "finished_at")
    private Instant finishedAt;

    protected ScoringRun() {
    }

    /**
     * @param modelSha256    the released version's model hash
     * @param manifestSha256 the hash of the model manifest it was trained as
     * @param totalLines     the manifest's non-blank lines, each scored once
     */
    public ScoringRun(String siteCode, String manifest, String modelSha256, String manifestSha256, long federationId, int modelVersion,
                      int totalLines, int shardLines, String requestedBy, Instant now) {
        if (totalLines < 1 || shardLines < 1) {
            throw new IllegalArgumentException("a scoring run scores at least one line, in shards of at least one line");
        }
        this.siteCode = siteCode;
        this.manifest = manifest;
        this.modelSha256 = modelSha256;
        this.manifestSha256 = manifestSha256;
        this.federationId = federationId;
        this.modelVersion = modelVersion;
        this.totalLines = totalLines;
        this.shardLines = shardLines;
        this.requestedBy = requestedBy;
        this.status = Status.WAITING;
        this.startedAt = now;
    }

    /** Waits for the site's next window: the reason says when it opens. */
    public void waiting(String reason) {
        this.status = Status.WAITING;
        this.message = limit(reason);
    }

    /**
     * Its job is about to run (a new one, or a restart of the stopped or failed one). Marked before
     * the job starts: a short job may end before its execution's number is recorded.
     */
    public void running() {
        this.status = Status.STARTED;
        this.message = null;
        this.finishedAt = null;
    }

    /** The batch runtime's execution of its job, the one a pause stops and a restart continues. */
    public void executionIs(long executionId) {
        this.jobExecutionId = executionId;
    }

    /** The site's window closed: its job is stopped after the chunks in flight, to resume in the next window. */
    public void paused(String reason) {
        if (status != Status.STARTED) {
            throw new IllegalStateException("scoring run " + id + " is " + status + ", not running");
        }
        this.status = Status.PAUSED;
        this.message = limit(reason);
    }

    public void completed(String output, String summaryJson, Instant now) {
        this.status = Status.COMPLETED;
        this.output = output;
        this.summaryJson = summaryJson;
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
        return s == null || s.length() <= 2000 ? s : s.substring(0, 1997) + "...";
    }

    public Long getId() {
        return id;
    }

    public String getSiteCode() {
        return siteCode;
    }

    public String getManifest() {
        return manifest;
    }

    public String getModelSha256() {
        return modelSha256;
    }

    public String getManifestSha256() {
        return manifestSha256;
    }

    public long getFederationId() {
        return federationId;
    }

    public int getModelVersion() {
        return modelVersion;
    }

    public Status getStatus() {
        return status;
    }

    public int getTotalLines() {
        return totalLines;
    }

    public int getShardLines() {
        return shardLines;
    }

    public Long getJobExecutionId() {
        return jobExecutionId;
    }

    public String getOutput() {
        return output;
    }

    public String getSummaryJson() {
        return summaryJson;
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
