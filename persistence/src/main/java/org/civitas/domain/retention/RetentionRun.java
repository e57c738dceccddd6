package org.civitas.domain.retention;

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
 * One run of the {@code data-retention} job on this server: as of which instant it judged what the
 * agreements' retention allows (now for the scheduled run; later for an early erasure), who asked,
 * and how it went. What it erased is recorded apart, one {@link Erasure} per thing.
 */
@Entity
@Table(name = "retention_run")
public class RetentionRun {

    public enum Status { STARTED, COMPLETED, FAILED }

    @Id
    @GeneratedValue(strategy = GenerationType.IDENTITY)
    private Long id;

    @Column(name = "as_of", nullable = false)
    private Instant asOf;

    @Column(name = "requested_by", nullable = false, length = 64)
    private String requestedBy;

    @Enumerated(EnumType.STRING)
    @Column(nullable = false, length = 16)
    private Status status;

    @Column(name = "job_execution_id")
    private Long jobExecutionId;

    @Column(name = "started_at", nullable = false)
    private Instant startedAt;

    @Column(name = "finished_at")
    private Instant finishedAt;

    @Column(length = 2000)
    private String message;

    protected RetentionRun() {
    }

    public RetentionRun(Instant asOf, String requestedBy, Instant now) {
        if (asOf.isBefore(now.minusSeconds(60))) {
            throw new IllegalArgumentException("asOf must not be in the past: erasure is judged now or, to erase early, later");
        }
        this.asOf = asOf;
        this.requestedBy = requestedBy;
        this.status = Status.STARTED;
        this.startedAt = now;
    }

    public void jobStarted(long executionId) {
        this.jobExecutionId = executionId;
    }

    public void finished(boolean completed, String message, Instant now) {
        this.status = completed ? Status.COMPLETED : Status.FAILED;
        this.message = message == null || message.length() <= 2000 ? message : message.substring(0, 1999) + "…";
        this.finishedAt = now;
    }

    public Long getId() {
        return id;
    }

    public Instant getAsOf() {
        return asOf;
    }

    public String getRequestedBy() {
        return requestedBy;
    }

    public Status getStatus() {
        return status;
    }

    public Long getJobExecutionId() {
        return jobExecutionId;
    }

    public Instant getStartedAt() {
        return startedAt;
    }

    public Instant getFinishedAt() {
        return finishedAt;
    }

    public String getMessage() {
        return message;
    }
}
