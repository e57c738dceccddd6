package org.civitas.domain.personal;

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
 * A site's personal head on a released version (FedRep's personal step): the version's shared
 * representation as released, its head trained further on the site's own data. The site keeps the
 * state in its folder and may serve it; the record says how it and the global version do on the
 * site's held-out data.
 */
@Entity
@Table(name = "personal_head")
public class PersonalHead {

    public enum Status { STARTED, COMPLETED, FAILED }

    @Id
    @GeneratedValue(strategy = GenerationType.IDENTITY)
    private Long id;

    @Column(name = "site_code", nullable = false, length = 64)
    private String siteCode;

    @Column(name = "model_sha256", nullable = false, length = 64)
    private String modelSha256;

    @Column(name = "manifest_sha256", nullable = false, length = 64)
    private String manifestSha256;

    @Column(name = "federation_id", nullable = false)
    private long federationId;

    @Column(name = "model_version", nullable = false)
    private int modelVersion;

    @Column(nullable = false, length = 500)
    private String dataset;

    @Column(length = 500)
    private String heldout;

    @Column(nullable = false)
    private int epochs;

    @Enumerated(EnumType.STRING)
    @Column(nullable = false, length = 16)
    private Status status;

    @Column(name = "steps_done", nullable = false)
    private int stepsDone;

    @Column(name = "steps_total", nullable = false)
    private int stepsTotal;

    /** The personal state, inside the site's folder, once trained. */
    @Column(name = "state_file", length = 500)
    private String stateFile;

    @Column(name = "train_samples")
    private Integer trainSamples;

    @Column(name = "heldout_samples")
    private Integer heldoutSamples;

    @Column(name = "global_macro_f1")
    private Double globalMacroF1;

    @Column(name = "personal_macro_f1")
    private Double personalMacroF1;

    @Column(name = "global_accuracy")
    private Double globalAccuracy;

    @Column(name = "personal_accuracy")
    private Double personalAccuracy;

    @Column(name = "job_execution_id")
    private Long jobExecutionId;

    @Column(length = 2000)
    private String message;

    @Column(name = "requested_by", nullable = false, length = 64)
    private String requestedBy;

    @Column(name = "started_at", nullable = false)
    private Instant startedAt;

    @Column(name = "finished_at")
    private Instant finishedAt;

    protected PersonalHead() {
    }

    /**
     * @param dataset the site's training manifest, inside its folder
     * @param heldout its held-out manifest, or null (no comparison is then made)
     */
    public PersonalHead(String siteCode, String modelSha256, String manifestSha256, long federationId, int modelVersion, String dataset,
                        String heldout, int epochs, String requestedBy, Instant now) {
        this.siteCode = siteCode;
        this.modelSha256 = modelSha256;
        this.manifestSha256 = manifestSha256;
        this.federationId = federationId;
        this.modelVersion = modelVersion;
        this.dataset = dataset;
        this.heldout = heldout;
        this.epochs = epochs;
        this.requestedBy = requestedBy;
        this.status = Status.STARTED;
        this.startedAt = now;
    }

    public void executionIs(long executionId) {
        this.jobExecutionId = executionId;
    }

    public void progress(int done, int total) {
        this.stepsDone = done;
        this.stepsTotal = total;
    }

    /**
     * Trained: where its state lies and, with a held-out split, how the global version and the
     * personal one did on it.
     */
    public void completed(String stateFile, int trainSamples, Integer heldoutSamples, Double globalMacroF1, Double personalMacroF1,
                          Double globalAccuracy, Double personalAccuracy, Instant now) {
        this.status = Status.COMPLETED;
        this.stateFile = stateFile;
        this.trainSamples = trainSamples;
        this.heldoutSamples = heldoutSamples;
        this.globalMacroF1 = globalMacroF1;
        this.personalMacroF1 = personalMacroF1;
        this.globalAccuracy = globalAccuracy;
        this.personalAccuracy = personalAccuracy;
        this.stepsDone = stepsTotal;
        this.message = null;
        this.finishedAt = now;
    }

    public void failed(String reason, Instant now) {
        if (status == Status.STARTED) {
            this.status = Status.FAILED;
            this.message = reason == null ? "failed" : reason.length() > 2000 ? reason.substring(0, 1997) + "..." : reason;
            this.finishedAt = now;
        }
    }

    public Long getId() {
        return id;
    }

    public String getSiteCode() {
        return siteCode;
    }

    public String getModelSha256() {
        return modelSha256;
    }

    public String getManifestSha256() {
        return manifestSha256;
    }

    public long getFederationId() {
        return federationId;
    }

    public int getModelVersion() {
        return modelVersion;
    }

    public String getDataset() {
        return dataset;
    }

    public String getHeldout() {
        return heldout;
    }

    public int getEpochs() {
        return epochs;
    }

    public Status getStatus() {
        return status;
    }

    public int getStepsDone() {
        return stepsDone;
    }

    public int getStepsTotal() {
        return stepsTotal;
    }

    public String getStateFile() {
        return stateFile;
    }

    public Integer getTrainSamples() {
        return trainSamples;
    }

    public Integer getHeldoutSamples() {
        return heldoutSamples;
    }

    public Double getGlobalMacroF1() {
        return globalMacroF1;
    }

    public Double getPersonalMacroF1() {
        return personalMacroF1;
    }

    public Double getGlobalAccuracy() {
        return globalAccuracy;
    }

    public Double getPersonalAccuracy() {
        return personalAccuracy;
    }

    public Long getJobExecutionId() {
        return jobExecutionId;
    }

    public String getMessage() {
        return message;
    }

    public String getRequestedBy() {
        return requestedBy;
    }

    public Instant getStartedAt() {
        return startedAt;
    }

    public Instant getFinishedAt() {
        return finishedAt;
    }
}
