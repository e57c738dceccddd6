package org.civitas.domain.participant;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.EnumType;
import jakarta.persistence.Enumerated;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.GenerationType;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import jakarta.persistence.UniqueConstraint;

import java.time.Instant;

/**
 * A site's local training for one round task, run as a {@code local-finetune} batch job. One per
 * site, federation and round, so a task is never trained twice.
 */
@Entity
@Table(name = "local_training_run",
        uniqueConstraints = @UniqueConstraint(columnNames = {"site_code", "federation_id", "round_number"}))
public class LocalTrainingRun {

    /** Where a run stands. */
    public enum Status { STARTED, PAUSED, UPLOADED, FAILED }

    @Id
    @GeneratedValue(strategy = GenerationType.IDENTITY)
    private Long id;

    @Column(name = "site_code", nullable = false, length = 64)
    private String siteCode;

    @Column(name = "federation_id", nullable = false)
    private long federationId;

    @Column(name = "round_number", nullable = false)
    private int roundNumber;

    @Enumerated(EnumType.STRING)
    @Column(nullable = false, length = 20)
    private Status status;

    @Column(name = "job_execution_id")
    private Long jobExecutionId;

    @Column(name = "message", length = 1000)
    private String message;

    @Column(name = "started_at", nullable = false)
    private Instant startedAt;

    @Column(name = "finished_at")
    private Instant finishedAt;

    @Column(name = "attempts", nullable = false)
    private int attempts = 1;

    /** How often the site's training window closed on this run. */
    @Column(name = "window_pauses", nullable = false)
    private int windowPauses;

    /** The manifest the run trained on, inside the site's folder, and its SHA-256: the federation's later rounds read the same. */
    @Column(name = "training_manifest", length = 500)
    private String trainingManifest;

    @Column(name = "manifest_sha256", length = 64)
    private String manifestSha256;

    protected LocalTrainingRun() {
    }

    public LocalTrainingRun(String siteCode, long federationId, int roundNumber, Instant now) {
        this.siteCode = siteCode;
        this.federationId = federationId;
        this.roundNumber = roundNumber;
        this.status = Status.STARTED;
        this.startedAt = now;
    }

    public void jobStarted(long executionId) {
        this.jobExecutionId = executionId;
    }

    /** A failed run may be tried again while fewer than {@code maxAttempts} attempts were made. */
    public boolean canRetry(int maxAttempts) {
        return status == Status.FAILED && attempts < maxAttempts && jobExecutionId != null;
    }

    /** The failed job execution was restarted as a new execution. */
    public void retried(long executionId, Instant now) {
        if (status != Status.FAILED) {
            throw new IllegalStateException("only a failed run is retried; this one is " + status);
        }
        this.attempts++;
        this.status = Status.STARTED;
        this.jobExecutionId = executionId;
        this.message = limit("attempt " + attempts + " after: " + message);
        this.finishedAt = null;
        this.startedAt = now;
    }

    /** The site's training window closed: the job is stopped (after the worker's last checkpoint) until the next one opens. */
    public void pausedAtWindowEnd(Instant resumesAt) {
        if (status != Status.STARTED) {
            throw new IllegalStateException("only a started run pauses; this one is " + status);
        }
        this.status = Status.PAUSED;
        this.windowPauses++;
        this.message = limit("paused at the end of the training window" + (resumesAt == null ? "" : "; resumes at " + resumesAt)
                + (message == null ? "" : " (was: " + message + ")"));
    }

    /** The next window opened: the stopped job was restarted as a new execution, resuming from its checkpoint. */
    public void resumed(long executionId) {
        if (status != Status.PAUSED) {
            throw new IllegalStateException("only a paused run resumes; this one is " + status);
        }
        this.status = Status.STARTED;
        this.jobExecutionId = executionId;
        this.message = limit("resumed in the next training window after " + windowPauses + " pause(s)");
    }

    public int getWindowPauses() {
        return windowPauses;
    }

    /** Marks the run as not to be tried again. */
    public void giveUp(String reason, int maxAttempts) {
        this.attempts = Math.max(attempts, maxAttempts);
        this.message = limit(reason);
    }

    public int getAttempts() {
        return attempts;
    }

    /** How far training has got, while it runs. */
    public void progress(String text) {
        if (status == Status.STARTED) {
            this.message = limit(text);
        }
    }

    /** Training finished; the update waits in the site's outbox. */
    public void trained(String summary) {
        this.message = limit(summary);
    }

    public void uploaded(String summary, Instant now) {
        this.status = Status.UPLOADED;
        this.message = limit(message == null ? summary : message + "; " + summary);
        this.finishedAt = now;
    }

    /** Records the manifest the run trains on (a path inside the site's folder) and the SHA-256 of its bytes. */
    public void trainsOn(String manifest, String sha256) {
        if (manifest == null || sha256 == null || !sha256.matches("[0-9a-f]{64}")) {
            throw new IllegalArgumentException("a training manifest needs its path and its 64-hex-digit SHA-256");
        }
        this.trainingManifest = manifest;
        this.manifestSha256 = sha256;
    }

    public String getTrainingManifest() {
        return trainingManifest;
    }

    public String getManifestSha256() {
        return manifestSha256;
    }

    private static String limit(String text) {
        return text == null ? null : text.substring(0, Math.min(text.length(), 1000));
    }

    public void failed(String reason, Instant now) {
        this.status = Status.FAILED;
        this.message = reason == null ? "failed" : limit(reason);
        this.finishedAt = now;
    }

    public Long getId() {
        return id;
    }

    public String getSiteCode() {
        return siteCode;
    }

    public long getFederationId() {
        return federationId;
    }

    public int getRoundNumber() {
        return roundNumber;
    }

    public Status getStatus() {
        return status;
    }

    public Long getJobExecutionId() {
        return jobExecutionId;
    }

    public String getMessage() {
        return message;
    }

    public Instant getStartedAt() {
        return startedAt;
    }

    public Instant getFinishedAt() {
        return finishedAt;
    }
}
