package org.civitas.domain.governance;

import jakarta.persistence.Column;
import jakarta.persistence.Embeddable;
import jakarta.persistence.EnumType;
import jakarta.persistence.Enumerated;

import java.time.Instant;

/** One compliance officer's decision on an agreement, with the comment that explains it. */
@Embeddable
public class AgreementDecision {

    /** Whose decision: the enterprise's compliance officer, or the consortium's. */
    public enum Scope { ENTERPRISE, CONSORTIUM }

    @Enumerated(EnumType.STRING)
    @Column(name = "scope", nullable = false, length = 20)
    private Scope scope;

    @Column(name = "decided_by", nullable = false, length = 64)
    private String decidedBy;

    @Column(name = "approved", nullable = false)
    private boolean approved;

    @Column(name = "comment_text", nullable = false, length = 2000)
    private String comment;

    @Column(name = "decided_at", nullable = false)
    private Instant decidedAt;

    protected AgreementDecision() {
    }

    AgreementDecision(Scope scope, String decidedBy, boolean approved, String comment, Instant decidedAt) {
        this.scope = scope;
        this.decidedBy = decidedBy;
        this.approved = approved;
        this.comment = comment;
        this.decidedAt = decidedAt;
    }

    public Scope getScope() {
        return scope;
    }

    public String getDecidedBy() {
        return decidedBy;
    }

    public boolean isApproved() {
        return approved;
    }

    public String getComment() {
        return comment;
    }

    public Instant getDecidedAt() {
        return decidedAt;
    }
}
