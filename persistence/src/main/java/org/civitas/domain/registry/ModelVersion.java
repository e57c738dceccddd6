package org.civitas.domain.registry;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.FetchType;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.GenerationType;
import jakarta.persistence.Id;
import jakarta.persistence.JoinColumn;
import jakarta.persistence.ManyToOne;
import jakarta.persistence.Table;
import jakarta.persistence.UniqueConstraint;
import org.civitas.domain.federation.Federation;
import org.civitas.domain.federation.Round;

import java.time.Instant;

/**
 * A global model state of a federation. Version 0 is the initial state; version n is the result
 * of round n and names version n-1 as its parent. The tensors are stored by content hash.
 */
@Entity
@Table(name = "model_version", uniqueConstraints = @UniqueConstraint(columnNames = {"federation_id", "version_number"}))
public class ModelVersion {

    @Id
    @GeneratedValue(strategy = GenerationType.IDENTITY)
    private Long id;

    @ManyToOne(optional = false, fetch = FetchType.LAZY)
    @JoinColumn(name = "federation_id", nullable = false)
    private Federation federation;

    @Column(name = "version_number", nullable = false)
    private int versionNumber;

    @ManyToOne(fetch = FetchType.LAZY)
    @JoinColumn(name = "round_id")
    private Round round;

    @ManyToOne(fetch = FetchType.LAZY)
    @JoinColumn(name = "parent_id")
    private ModelVersion parent;

    /** For the first version of a rebuilt line: the version of the replaced line whose state it starts from. */
    @ManyToOne(fetch = FetchType.LAZY)
    @JoinColumn(name = "derived_from_id")
    private ModelVersion derivedFrom;

    /** The approved withdrawals whose enterprise's data this version contains: it is marked, and no longer released. */
    @jakarta.persistence.ElementCollection(fetch = FetchType.EAGER)
    @jakarta.persistence.CollectionTable(name = "model_version_withdrawal", joinColumns = @JoinColumn(name = "model_version_id"))
    @Column(name = "withdrawal_id", nullable = false)
    private java.util.Set<Long> withdrawals = new java.util.TreeSet<>();

    @Column(name = "sha256", nullable = false, length = 64)
    private String sha256;

    @Column(name = "size_bytes", nullable = false)
    private long sizeBytes;

    @Column(name = "sample_count", nullable = false)
    private long sampleCount;

    @Column(name = "created_at", nullable = false)
    private Instant createdAt;

    /** The aggregation strategy's state after this version (e.g. optimizer moments), stored by hash; null if none. */
    @Column(name = "server_state_sha256", length = 64)
    private String serverStateSha256;

    /** Where this version was evaluated (a test split's name), or null while it has not been. */
    @Column(name = "eval_split", length = 200)
    private String evalSplit;

    @Column(name = "eval_accuracy")
    private Double evalAccuracy;

    @Column(name = "eval_macro_f1")
    private Double evalMacroF1;

    /** Macro-F1 per scenario of the split, as a JSON object. */
    @Column(name = "eval_by_scenario", length = 4000)
    private String evalByScenario;

    /** The confusion matrix on the split, {"labels": [...], "counts": [[...]]}; null for a task of over 100 labels. */
    @Column(name = "eval_confusion", length = 200000)
    private String evalConfusion;

    protected ModelVersion() {
    }

    private ModelVersion(Federation federation, int versionNumber, Round round, ModelVersion parent, String sha256,
                         long sizeBytes, long sampleCount, Instant createdAt) {
        this.federation = federation;
        this.versionNumber = versionNumber;
        this.round = round;
        this.parent = parent;
        this.sha256 = sha256;
        this.sizeBytes = sizeBytes;
        this.sampleCount = sampleCount;
        this.createdAt = createdAt;
    }

    public static ModelVersion initial(Federation federation, String sha256, long sizeBytes, Instant now) {
        return new ModelVersion(federation, 0, null, null, sha256, sizeBytes, 0, now);
    }

    /**
     * The first version of a rebuilt line: the state, server state and evaluation of the replaced
     * line's version it starts from, under the same number.
     */
    public static ModelVersion derived(Federation rebuild, ModelVersion from, Instant now) {
        ModelVersion v = new ModelVersion(rebuild, from.versionNumber, null, null, from.sha256, from.sizeBytes, from.sampleCount, now);
        v.derivedFrom = from;
        v.serverStateSha256 = from.serverStateSha256;
        v.evalSplit = from.evalSplit;
        v.evalAccuracy = from.evalAccuracy;
        v.evalMacroF1 = from.evalMacroF1;
        v.evalByScenario = from.evalByScenario;
        v.evalConfusion = from.evalConfusion;
        return v;
    }

    /** Marks this version as containing the data of the enterprise a withdrawal took out. */
    public void markWithdrawn(long withdrawalId) {
        withdrawals.add(withdrawalId);
    }

    public java.util.Set<Long> getWithdrawals() {
        return java.util.Collections.unmodifiableSet(withdrawals);
    }

    public ModelVersion getDerivedFrom() {
        return derivedFrom;
    }

    /** The version a round produced from its parent, trained on sampleCount samples in all. */
    public ModelVersion next(Round round, String sha256, long sizeBytes, long sampleCount, Instant now) {
        if (round.getNumber() != versionNumber + 1) {
            throw new IllegalArgumentException("round " + round.getNumber() + " cannot follow model version " + versionNumber);
        }
        return new ModelVersion(federation, versionNumber + 1, round, this, sha256, sizeBytes, sampleCount, now);
    }

    public Long getId() {
        return id;
    }

    public Federation getFederation() {
        return federation;
    }

    public int getVersionNumber() {
        return versionNumber;
    }

    public Round getRound() {
        return round;
    }

    public ModelVersion getParent() {
        return parent;
    }

    public String getSha256() {
        return sha256;
    }

    public long getSizeBytes() {
        return sizeBytes;
    }

    public long getSampleCount() {
        return sampleCount;
    }

    public Instant getCreatedAt() {
        return createdAt;
    }

    public String getServerStateSha256() {
        return serverStateSha256;
    }

    public void setServerStateSha256(String serverStateSha256) {
        this.serverStateSha256 = serverStateSha256;
    }

    /** Records this version's evaluation; a version is evaluated once, on one split. */
    public void recordEvaluation(String split, double accuracy, double macroF1, String byScenarioJson, String confusionJson) {
        if (evalSplit != null) {
            throw new IllegalStateException("model version " + versionNumber + " was evaluated already on " + evalSplit);
        }
        if (!(accuracy >= 0 && accuracy <= 1) || !(macroF1 >= 0 && macroF1 <= 1)) {
            throw new IllegalArgumentException("accuracy and macro-F1 must be in [0, 1], were " + accuracy + " and " + macroF1);
        }
        this.evalSplit = split;
        this.evalAccuracy = accuracy;
        this.evalMacroF1 = macroF1;
        this.evalByScenario = byScenarioJson;
        this.evalConfusion = confusionJson;
    }

    public String getEvalConfusion() {
        return evalConfusion;
    }

    public String getEvalSplit() {
        return evalSplit;
    }

    public Double getEvalAccuracy() {
        return evalAccuracy;
    }

    public Double getEvalMacroF1() {
        return evalMacroF1;
    }

    public String getEvalByScenario() {
        return evalByScenario;
    }
}
