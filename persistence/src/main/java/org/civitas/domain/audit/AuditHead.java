package org.civitas.domain.audit;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

import java.time.Instant;

/**
 * The end of the audit chain, a single row. Appending locks it, so concurrent transactions append
 * one after the other and the chain never forks.
 */
@Entity
@Table(name = "audit_head")
public class AuditHead {

    public static final int ID = 1;

    @Id
    private int id;

    @Column(name = "last_seq", nullable = false)
    private long lastSeq;

    @Column(name = "last_hash", nullable = false, length = 64)
    private String lastHash;

    protected AuditHead() {
    }

    /** The next entry of the chain, which becomes its end. */
    public AuditEntry append(Instant now, String actor, String action, String subject, String detail) {
        AuditEntry entry = new AuditEntry(lastSeq, lastHash, now, actor, action, subject, detail);
        lastSeq = entry.getSeq();
        lastHash = entry.getEntryHash();
        return entry;
    }

    public long getLastSeq() {
        return lastSeq;
    }
}
