package org.civitas.domain.audit;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.HexFormat;

/**
 * One event in the audit chain. Its hash covers its sequence number, time, actor, action, subject,
 * detail and the previous entry's hash, so changing or removing any entry breaks every link after
 * it. Immutable: the table is append-only.
 */
@Entity
@Table(name = "audit_entry")
public class AuditEntry {

    /** The hash the first entry links to. */
    public static final String GENESIS = "0".repeat(64);

    @Id
    private long seq;

    @Column(name = "recorded_at", nullable = false, updatable = false)
    private Instant recordedAt;

    @Column(nullable = false, updatable = false, length = 100)
    private String actor;

    @Column(nullable = false, updatable = false, length = 60)
    private String action;

    @Column(nullable = false, updatable = false, length = 200)
    private String subject;

    @Column(nullable = false, updatable = false, length = 4000)
    private String detail;

    @Column(name = "prev_hash", nullable = false, updatable = false, length = 64)
    private String prevHash;

    @Column(name = "entry_hash", nullable = false, updatable = false, length = 64)
    private String entryHash;

    protected AuditEntry() {
    }

    /** An entry following the one with {@code prevSeq} and {@code prevHash}; time kept to the microsecond both databases store. */
    public AuditEntry(long prevSeq, String prevHash, Instant now, String actor, String action, String subject, String detail) {
        this.seq = prevSeq + 1;
        this.recordedAt = now.truncatedTo(ChronoUnit.MICROS);
        this.actor = clip(require(actor, "actor"), 100);
        this.action = clip(require(action, "action"), 60);
        this.subject = clip(require(subject, "subject"), 200);
        this.detail = clip(detail == null ? "" : detail, 4000);
        this.prevHash = prevHash;
        this.entryHash = computeHash();
    }

    /** The hash this entry should carry given its fields; differs from {@link #getEntryHash()} once a field was altered. */
    public String computeHash() {
        StringBuilder canonical = new StringBuilder();
        for (String field : new String[] {Long.toString(seq), recordedAt.toString(), actor, action, subject, detail, prevHash}) {
            // Length-prefixed, so no choice of field contents can make two entries read alike.
            canonical.append(field.length()).append(':').append(field).append(';');
        }
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
                    .digest(canonical.toString().getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String require(String value, String name) {
        if (value == null || value.isBlank()) {
            throw new IllegalArgumentException("audit entry " + name + " must not be blank");
        }
        return value;
    }

    private static String clip(String value, int max) {
        return value.length() <= max ? value : value.substring(0, max - 1) + "…";
    }

    public long getSeq() {
        return seq;
    }

    public Instant getRecordedAt() {
        return recordedAt;
    }

    public String getActor() {
        return actor;
    }

    public String getAction() {
        return action;
    }

    public String getSubject() {
        return subject;
    }

    public String getDetail() {
        return detail;
    }

    public String getPrevHash() {
        return prevHash;
    }

    public String getEntryHash() {
        return entryHash;
    }
}
