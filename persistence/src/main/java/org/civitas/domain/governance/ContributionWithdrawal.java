package org.civitas.domain.governance;

import jakarta.persistence.CollectionTable;
import jakarta.persistence.Column;
import jakarta.persistence.ElementCollection;
import jakarta.persistence.Entity;
import jakarta.persistence.EnumType;
import jakarta.persistence.Enumerated;
import jakarta.persistence.FetchType;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.GenerationType;
import jakarta.persistence.Id;
import jakarta.persistence.JoinColumn;
import jakarta.persistence.ManyToOne;
import jakarta.persistence.Table;
import jakarta.persistence.Version;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * An enterprise's request to take its contributions out of the models trained under one of its
 * agreements. Four eyes: it takes effect once the enterprise's compliance officer and the
 * consortium's have both approved it (a compliance officer who asks for it approves for their side
 * by asking); either can reject it. Approved, the coordinator marks the versions that contain the
 * enterprise and retrains each affected federation without it.
 */
@Entity
@Table(name = "contribution_withdrawal")
public class ContributionWithdrawal {

    public enum Status { REQUESTED, APPROVED, REJECTED }

    @Id
    @GeneratedValue(strategy = GenerationType.IDENTITY)
    private Long id;

    @ManyToOne(optional = false, fetch = FetchType.EAGER)
    @JoinColumn(name = "agreement_id", nullable = false)
    private DataSharingAgreement agreement;

    @Enumerated(EnumType.STRING)
    @Column(nullable = false, length = 20)
    private Status status;

    @Column(nullable = false, length = 2000)
    private String reason;

    @Column(name = "requested_by", nullable = false, length = 64)
    private String requestedBy;

    @Column(name = "requested_at", nullable = false)
    private Instant requestedAt;

    @ElementCollection(fetch = FetchType.EAGER)
    @CollectionTable(name = "withdrawal_decision", joinColumns = @JoinColumn(name = "withdrawal_id"))
    private List<AgreementDecision> decisions = new ArrayList<>();

    /** When it took effect or was rejected. */
    @Column(name = "closed_at")
    private Instant closedAt;

    @Version
    private long version;

    protected ContributionWithdrawal() {
    }

    /**
     * A request to withdraw the agreement's enterprise from the models trained under it.
     * {@code requesterScope}: the side a compliance officer asks for, whose approval the asking is;
     * null when someone else asks (a data steward).
     */
    public ContributionWithdrawal(DataSharingAgreement agreement, String requestedBy, AgreementDecision.Scope requesterScope,
                                  String reason, Instant now) {
        if (reason == null || reason.isBlank() || reason.length() > 2000) {
            throw new IllegalArgumentException("a withdrawal needs a reason of 1-2000 characters");
        }
        this.agreement = agreement;
        this.status = Status.REQUESTED;
        this.reason = reason.strip();
        this.requestedBy = requestedBy;
        this.requestedAt = now;
        if (requesterScope != null) {
            decisions.add(new AgreementDecision(requesterScope, requestedBy, true, "requested the withdrawal: " + this.reason, now));
        }
    }

    /**
     * One compliance officer's decision for their side. Answers whether the withdrawal has now
     * been approved by both sides, so that the caller carries it out.
     */
    public boolean decide(AgreementDecision.Scope scope, String officer, boolean approve, String comment, Instant now) {
        if (status != Status.REQUESTED) {
            throw new IllegalStateException("withdrawal " + id + " is " + status + "; only a requested withdrawal is decided");
        }
        if (comment == null || comment.isBlank() || comment.length() > 2000) {
            throw new IllegalArgumentException("a decision needs a comment of 1-2000 characters");
        }
        for (AgreementDecision d : decisions) {
            if (d.getScope() == scope) {
                throw new IllegalStateException("four eyes: the " + scope.name().toLowerCase() + " compliance officer ("
                        + d.getDecidedBy() + ") has decided on withdrawal " + id + " already; the other side's officer decides next");
            }
            if (d.getDecidedBy().equals(officer)) {
                throw new IllegalStateException("four eyes: " + officer + " has decided on withdrawal " + id
                        + " already; the other decision needs another officer");
            }
        }
        decisions.add(new AgreementDecision(scope, officer, approve, comment.strip(), now));
        if (!approve) {
            status = Status.REJECTED;
            closedAt = now;
        } else if (decisions.size() == 2) {
            status = Status.APPROVED;
            closedAt = now;
        }
        return status == Status.APPROVED;
    }

    /** The side whose decision is still missing, or null once both have decided (or one rejected). */
    public AgreementDecision.Scope awaiting() {
        if (status != Status.REQUESTED) {
            return null;
        }
        return decisions.stream().anyMatch(d -> d.getScope() == AgreementDecision.Scope.ENTERPRISE)
                ? AgreementDecision.Scope.CONSORTIUM : AgreementDecision.Scope.ENTERPRISE;
    }

    public Long getId() {
        return id;
    }

    public DataSharingAgreement getAgreement() {
        return agreement;
    }

    public String getEnterpriseCode() {
        return agreement.getEnterprise().getCode();
    }

    public Status getStatus() {
        return status;
    }

    public String getReason() {
        return reason;
    }

    public String getRequestedBy() {
        return requestedBy;
    }

    public Instant getRequestedAt() {
        return requestedAt;
    }

    public List<AgreementDecision> getDecisions() {
        return List.copyOf(decisions);
    }

    public Instant getClosedAt() {
        return closedAt;
    }
}
