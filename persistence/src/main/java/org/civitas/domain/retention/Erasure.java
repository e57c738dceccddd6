package org.civitas.domain.retention;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.GenerationType;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

import java.time.Instant;

/**
 * One thing a retention run erased: where ({@code coordinator} or a site's code), what kind
 * ({@code update}, {@code outbox-update}, {@code checkpoint}, {@code curated-manifest},
 * {@code quality-findings}), which one, the SHA-256 and size of what was erased, and the agreement
 * whose retention ran out.
 */
@Entity
@Table(name = "retention_erasure")
public class Erasure {

    @Id
    @GeneratedValue(strategy = GenerationType.IDENTITY)
    private Long id;

    @Column(name = "run_id", nullable = false)
    private long runId;

    @Column(nullable = false, length = 64)
    private String place;

    @Column(nullable = false, length = 32)
    private String kind;

    @Column(nullable = false, length = 500)
    private String subject;

    @Column(nullable = false, length = 64)
    private String sha256;

    @Column(name = "size_bytes", nullable = false)
    private long sizeBytes;

    @Column(name = "agreement_id", nullable = false)
    private long agreementId;

    @Column(name = "retention_days", nullable = false)
    private int retentionDays;

    @Column(name = "erased_at", nullable = false)
    private Instant erasedAt;

    protected Erasure() {
    }

    public Erasure(long runId, String place, String kind, String subject, String sha256, long sizeBytes, long agreementId,
                   int retentionDays, Instant erasedAt) {
        this.runId = runId;
        this.place = place;
        this.kind = kind;
        this.subject = subject.length() <= 500 ? subject : subject.substring(0, 499) + "…";
        this.sha256 = sha256;
        this.sizeBytes = sizeBytes;
        this.agreementId = agreementId;
        this.retentionDays = retentionDays;
        this.erasedAt = erasedAt;
    }

    public Long getId() {
        return id;
    }

    public long getRunId() {
        return runId;
    }

    public String getPlace() {
        return place;
    }

    public String getKind() {
        return kind;
    }

    public String getSubject() {
        return subject;
    }

    public String getSha256() {
        return sha256;
    }

    public long getSizeBytes() {
        return sizeBytes;
    }

    public long getAgreementId() {
        return agreementId;
    }

    public int getRetentionDays() {
        return retentionDays;
    }

    public Instant getErasedAt() {
        return erasedAt;
    }
}
