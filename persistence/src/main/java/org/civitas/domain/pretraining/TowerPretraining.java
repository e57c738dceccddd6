package org.civitas.domain.pretraining;

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
 * A run that pretrains a CNN image tower on a public dataset at the coordinator. Its lineage is
 * what it records: the tower as declared, the dataset's name and content hash, and the training
 * settings; its result is the tower's weights, stored as an artifact under {@link #getBaseSha256()},
 * which a manifest's {@code image.base} names.
 */
@Entity
@Table(name = "tower_pretraining")
public class TowerPretraining {

    public enum Status { STARTING, RUNNING, COMPLETED, FAILED }

    @Id
    @GeneratedValue(strategy = GenerationType.IDENTITY)
    private Long id;

    @Column(nullable = false, length = 100)
    private String name;

    /** The tower's {@code image} object as a manifest declares it, in canonical form. */
    @Column(name = "image_json", nullable = false, length = 20000)
    private String imageJson;

    @Column(name = "dataset_name", nullable = false, length = 100)
    private String datasetName;

    @Column(name = "dataset_sha256", nullable = false, length = 64)
    private String datasetSha256;

    @Column(nullable = false)
    private int epochs;

    @Column(name = "learning_rate", nullable = false)
    private double learningRate;

    @Column(name = "batch_size", nullable = false)
    private int batchSize;

    @Column(nullable = false)
    private long seed;

    @Enumerated(EnumType.STRING)
    @Column(nullable = false, length = 16)
    private Status status;

    @Column(name = "job_execution_id")
    private Long jobExecutionId;

    @Column(name = "steps_done", nullable = false)
    private int stepsDone;

    @Column(nullable = false)
    private int steps;

    @Column(name = "last_loss")
    private Double lastLoss;

    /** Mean training loss per tenth of the run, as a JSON array: the portal's loss curve. */
    @Column(name = "loss_json", nullable = false, length = 70000)
    private String lossJson;

    @Column(name = "train_samples")
    private Integer trainSamples;

    @Column(name = "heldout_samples")
    private Integer heldoutSamples;

    @Column(name = "heldout_accuracy")
    private Double heldoutAccuracy;

    @Column(name = "heldout_macro_f1")
    private Double heldoutMacroF1;

    @Column(name = "base_sha256", length = 64)
    private String baseSha256;

    @Column(name = "base_bytes")
    private Long baseBytes;

    @Column(length = 2000)
    private String message;

    @Column(name = "requested_by", nullable = false, length = 64)
    private String requestedBy;

    @Column(name = "requested_at", nullable = false)
    private Instant requestedAt;

    @Column(name = "finished_at")
    private Instant finishedAt;

    protected TowerPretraining() {
    }

    public TowerPretraining(String name, String imageJson, String datasetName, String datasetSha256, int epochs, double learningRate,
                            int batchSize, long seed, String requestedBy, Instant requestedAt) {
        this.name = name;
        this.imageJson = imageJson;
        this.datasetName = datasetName;
        this.datasetSha256 = datasetSha256;
        this.epochs = epochs;
        this.learningRate = learningRate;
        this.batchSize = batchSize;
        this.seed = seed;
        this.requestedBy = requestedBy;
        this.requestedAt = requestedAt;
        this.status = Status.STARTING;
        this.lossJson = "[]";
    }

    public void executionIs(long executionId) {
        this.jobExecutionId = executionId;
    }

    /** Training began on this many samples, holding out the others. */
    public void running(int trainSamples, int heldoutSamples) {
        this.status = Status.RUNNING;
        this.trainSamples = trainSamples;
        this.heldoutSamples = heldoutSamples;
    }

    public void progress(int stepsDone, int steps, double loss, String lossJson) {
        this.stepsDone = stepsDone;
        this.steps = steps;
        this.lastLoss = loss;
        this.lossJson = lossJson;
    }

    public void completed(String baseSha256, long baseBytes, double heldoutAccuracy, double heldoutMacroF1, Instant now) {
        this.status = Status.COMPLETED;
        this.baseSha256 = baseSha256;
        this.baseBytes = baseBytes;
        this.heldoutAccuracy = heldoutAccuracy;
        this.heldoutMacroF1 = heldoutMacroF1;
        this.stepsDone = steps;
        this.finishedAt = now;
    }

    public void failed(String reason, Instant now) {
        this.status = Status.FAILED;
        this.message = reason.length() > 2000 ? reason.substring(0, 2000) : reason;
        this.finishedAt = now;
    }

    public Long getId() {
        return id;
    }

    public String getName() {
        return name;
    }

    public String getImageJson() {
        return imageJson;
    }

    public String getDatasetName() {
        return datasetName;
    }

    public String getDatasetSha256() {
        return datasetSha256;
    }

    public int getEpochs() {
        return epochs;
    }

    public double getLearningRate() {
        return learningRate;
    }

    public int getBatchSize() {
        return batchSize;
    }

    public long getSeed() {
        return seed;
    }

    public Status getStatus() {
        return status;
    }

    public Long getJobExecutionId() {
        return jobExecutionId;
    }

    public int getStepsDone() {
        return stepsDone;
    }

    public int getSteps() {
        return steps;
    }

    public Double getLastLoss() {
        return lastLoss;
    }

    public String getLossJson() {
        return lossJson;
    }

    public Integer getTrainSamples() {
        return trainSamples;
    }

    public Integer getHeldoutSamples() {
        return heldoutSamples;
    }

    public Double getHeldoutAccuracy() {
        return heldoutAccuracy;
    }

    public Double getHeldoutMacroF1() {
        return heldoutMacroF1;
    }

    public String getBaseSha256() {
        return baseSha256;
    }

    public Long getBaseBytes() {
        return baseBytes;
    }

    public String getMessage() {
        return message;
    }

    public String getRequestedBy() {
        return requestedBy;
    }

    public Instant getRequestedAt() {
        return requestedAt;
    }

    public Instant getFinishedAt() {
        return finishedAt;
    }
}
