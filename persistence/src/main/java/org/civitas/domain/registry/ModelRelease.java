package org.civitas.domain.registry;

import jakarta.persistence.Column;
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

import java.time.Instant;
import java.time.temporal.ChronoUnit;

/**
 * A model version put forward for use, four eyes: the consortium administrator proposes it with
 * the evaluation it had then, a compliance officer who is not the proposer approves (RELEASED) or
 * rejects it, and a released version can be withdrawn, with a reason. Each step is one-way.
 */
@Entity
@Table(name = "model_release")
public class ModelRelease {

    public enum Status { PROPOSED, RELEASED, REJECTED, WITHDRAWN }

    private static final int TEXT = 1000;

    @Id
    @GeneratedValue(strategy = GenerationType.IDENTITY)
    private Long id;

    @ManyToOne(optional = false, fetch = FetchType.LAZY)
    @JoinColumn(name = "model_version_id", nullable = false)
    private ModelVersion version;

    @Enumerated(EnumType.STRING)
    @Column(nullable = false, length = 20)
    private Status status;

    /** The evaluation attached to the proposal: what the officer decided on. */
    @Column(name = "eval_split", nullable = false, length = 200)
    private String evalSplit;

    @Column(name = "eval_accuracy", nullable = false)
    private double evalAccuracy;

    @Column(name = "eval_macro_f1", nullable = false)
    private double evalMacroF1;

    @Column(nullable = false, length = TEXT)
    private String note;

    @Column(name = "proposed_by", nullable = false, length = 64)
    private String proposedBy;

    @Column(name = "proposed_at", nullable = false)
    private Instant proposedAt;

    @Column(name = "decided_by", length = 64)
    private String decidedBy;

    @Column(name = "decided_at")
    private Instant decidedAt;

    @Column(name = "decision_comment", length = TEXT)
    private String decisionComment;

    @Column(name = "withdrawn_by", length = 64)
    private String withdrawnBy;

    @Column(name = "withdrawn_at")
    private Instant withdrawnAt;

    @Column(name = "withdrawal_reason", length = TEXT)
    private String withdrawalReason;

    protected ModelRelease() {
    }

    /** Proposes an evaluated version; the evaluation it has now is attached. */
    public ModelRelease(ModelVersion version, String note, String proposedBy, Instant now) {
        if (version.getEvalSplit() == null) {
            throw new IllegalStateException("model version " + version.getVersionNumber() + " has no evaluation on a test split;"
                    + " a release is proposed with its evaluation");
        }
        this.version = version;
        this.status = Status.PROPOSED;
        this.evalSplit = version.getEvalSplit();
        this.evalAccuracy = version.getEvalAccuracy();
        this.evalMacroF1 = version.getEvalMacroF1();
        this.note = text(note, "note");
        this.proposedBy = proposedBy;
        this.proposedAt = now.truncatedTo(ChronoUnit.MICROS);
    }

    /** A compliance officer's decision on the proposal; the proposer never decides their own. */
    public void decide(String officer, boolean approve, String comment, Instant now) {
        if (status != Status.PROPOSED) {
            throw new IllegalStateException("release " + id + " is " + status + "; only a proposed release is decided");
        }
        if (officer.equals(proposedBy)) {
            throw new IllegalArgumentException("user " + officer + " proposed release " + id + " and cannot decide it: four eyes");
        }
        this.status = approve ? Status.RELEASED : Status.REJECTED;
        this.decisionComment = text(comment, "comment");
        this.decidedBy = officer;
        this.decidedAt = now.truncatedTo(ChronoUnit.MICROS);
    }

    /** Takes a released version out of use. */
    public void withdraw(String by, String reason, Instant now) {
        if (status != Status.RELEASED) {
            throw new IllegalStateException("release " + id + " is " + status + "; only a released version is withdrawn");
        }
        this.withdrawalReason = text(reason, "reason");
        this.status = Status.WITHDRAWN;
        this.withdrawnBy = by;
        this.withdrawnAt = now.truncatedTo(ChronoUnit.MICROS);
    }

    private static String text(String value, String what) {
        if (value == null || value.isBlank() || value.length() > TEXT) {
            throw new IllegalArgumentException(what + " must be 1-" + TEXT + " characters");
        }
        return value.strip();
    }

    public Long getId() {
        return id;
    }

    public ModelVersion getVersion() {
        return version;
    }

    public Status getStatus() {
        return status;
    }

    public String getEvalSplit() {
        return evalSplit;
    }

    public double getEvalAccuracy() {
        return evalAccuracy;
    }

    public double getEvalMacroF1() {
        return evalMacroF1;
    }

    public String getNote() {
        return note;
    }

    public String getProposedBy() {
        return proposedBy;
    }

    public Instant getProposedAt() {
        return proposedAt;
    }

    public String getDecidedBy() {
        return decidedBy;
    }

    public Instant getDecidedAt() {
        return decidedAt;
    }

    public String getDecisionComment() {
        return decisionComment;
    }

    public String getWithdrawnBy() {
        return withdrawnBy;
    }

    public Instant getWithdrawnAt() {
        return withdrawnAt;
    }

    public String getWithdrawalReason() {
        return withdrawalReason;
    }
}
