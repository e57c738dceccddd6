package org.civitas.domain.registry;

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
 * A model version imported from a signed bundle: which coordinator signed it (by key fingerprint),
 * where it comes from there, its evaluation and the bundle's whole descriptor (lineage included).
 * Served to this coordinator's sites until withdrawn here.
 */
@Entity
@Table(name = "imported_model")
public class ImportedModel {

    public enum Status { IMPORTED, WITHDRAWN }

    @Id
    @GeneratedValue(strategy = GenerationType.IDENTITY)
    private Long id;

    @Column(name = "model_sha256", nullable = false, length = 64)
    private String modelSha256;

    @Column(name = "manifest_sha256", nullable = false, length = 64)
    private String manifestSha256;

    @Column(name = "signer_fingerprint", nullable = false, length = 16)
    private String signerFingerprint;

    @Column(name = "source_release_id", nullable = false)
    private long sourceReleaseId;

    @Column(name = "source_federation", nullable = false)
    private long sourceFederation;

    @Column(name = "source_version", nullable = false)
    private int sourceVersion;

    @Column(name = "eval_split", nullable = false, length = 200)
    private String evalSplit;

    @Column(name = "eval_accuracy", nullable = false)
    private double evalAccuracy;

    @Column(name = "eval_macro_f1", nullable = false)
    private double evalMacroF1;

    @Column(name = "descriptor_json", nullable = false, length = 70000)
    private String descriptorJson;

    @Enumerated(EnumType.STRING)
    @Column(nullable = false, length = 16)
    private Status status;

    @Column(name = "imported_by", nullable = false, length = 64)
    private String importedBy;

    @Column(name = "imported_at", nullable = false)
    private Instant importedAt;

    @Column(name = "withdrawn_by", length = 64)
    private String withdrawnBy;

    @Column(name = "withdrawn_at")
    private Instant withdrawnAt;

    @Column(name = "withdrawal_reason", length = 1000)
    private String withdrawalReason;

    protected ImportedModel() {
    }

    public ImportedModel(String modelSha256, String manifestSha256, String signerFingerprint, long sourceReleaseId, long sourceFederation,
                         int sourceVersion, String evalSplit, double evalAccuracy, double evalMacroF1, String descriptorJson,
                         String importedBy, Instant now) {
        this.modelSha256 = modelSha256;
        this.manifestSha256 = manifestSha256;
        this.signerFingerprint = signerFingerprint;
        this.sourceReleaseId = sourceReleaseId;
        this.sourceFederation = sourceFederation;
        this.sourceVersion = sourceVersion;
        this.evalSplit = evalSplit;
        this.evalAccuracy = evalAccuracy;
        this.evalMacroF1 = evalMacroF1;
        this.descriptorJson = descriptorJson;
        this.importedBy = importedBy;
        this.importedAt = now;
        this.status = Status.IMPORTED;
    }

    /** No longer served here; the reason is required. */
    public void withdraw(String by, String reason, Instant now) {
        if (status != Status.IMPORTED) {
            throw new IllegalStateException("imported model " + id + " is already withdrawn");
        }
        if (reason == null || reason.isBlank() || reason.length() > 1000) {
            throw new IllegalArgumentException("reason must be 1-1000 characters");
        }
        this.status = Status.WITHDRAWN;
        this.withdrawnBy = by;
        this.withdrawnAt = now;
        this.withdrawalReason = reason.strip();
    }

    public Long getId() {
        return id;
    }

    public String getModelSha256() {
        return modelSha256;
    }

    public String getManifestSha256() {
        return manifestSha256;
    }

    public String getSignerFingerprint() {
        return signerFingerprint;
    }

    public long getSourceReleaseId() {
        return sourceReleaseId;
    }

    public long getSourceFederation() {
        return sourceFederation;
    }

    public int getSourceVersion() {
        return sourceVersion;
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

    public String getDescriptorJson() {
        return descriptorJson;
    }

    public Status getStatus() {
        return status;
    }

    public String getImportedBy() {
        return importedBy;
    }

    public Instant getImportedAt() {
        return importedAt;
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
