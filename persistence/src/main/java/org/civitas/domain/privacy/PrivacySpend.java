package org.civitas.domain.privacy;

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

import java.time.Instant;

/**
 * One round's use of a dataset under differential privacy. It records the mechanism (sampling
 * rate q, noise multiplier sigma) rather than an epsilon, because epsilons do not add up: the
 * lifetime guarantee composes every spend in RDP and converts once. Immutable.
 */
@Entity
@Table(name = "privacy_spend", uniqueConstraints = @UniqueConstraint(columnNames = {"budget_id", "federation_id", "round_number"}))
public class PrivacySpend {

    @Id
    @GeneratedValue(strategy = GenerationType.IDENTITY)
    private Long id;

    @ManyToOne(optional = false, fetch = FetchType.EAGER)
    @JoinColumn(name = "budget_id", nullable = false, updatable = false)
    private PrivacyBudget budget;

    @Column(name = "federation_id", nullable = false, updatable = false)
    private long federationId;

    @Column(name = "round_number", nullable = false, updatable = false)
    private int roundNumber;

    @Column(name = "sampling_rate", nullable = false, updatable = false)
    private double samplingRate;

    @Column(name = "noise_multiplier", nullable = false, updatable = false)
    private double noiseMultiplier;

    /** The dataset's lifetime epsilon (at the budget's delta) once this round is counted. */
    @Column(name = "epsilon_after", nullable = false, updatable = false)
    private double epsilonAfter;

    @Column(name = "recorded_at", nullable = false, updatable = false)
    private Instant recordedAt;

    protected PrivacySpend() {
    }

    public PrivacySpend(PrivacyBudget budget, long federationId, int roundNumber, double samplingRate, double noiseMultiplier,
                        double epsilonAfter, Instant now) {
        if (!(samplingRate > 0 && samplingRate <= 1) || !(noiseMultiplier >= 0)) {
            throw new IllegalArgumentException("a privacy spend needs q in (0, 1] and sigma >= 0, was q " + samplingRate
                    + ", sigma " + noiseMultiplier);
        }
        this.budget = budget;
        this.federationId = federationId;
        this.roundNumber = roundNumber;
        this.samplingRate = samplingRate;
        this.noiseMultiplier = noiseMultiplier;
        this.epsilonAfter = epsilonAfter;
        this.recordedAt = now;
    }

    public Long getId() {
        return id;
    }

    public PrivacyBudget getBudget() {
        return budget;
    }

    public long getFederationId() {
        return federationId;
    }

    public int getRoundNumber() {
        return roundNumber;
    }

    public double getSamplingRate() {
        return samplingRate;
    }

    public double getNoiseMultiplier() {
        return noiseMultiplier;
    }

    public double getEpsilonAfter() {
        return epsilonAfter;
    }

    public Instant getRecordedAt() {
        return recordedAt;
    }
}
