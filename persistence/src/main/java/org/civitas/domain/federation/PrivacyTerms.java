package org.civitas.domain.federation;

import jakarta.persistence.Column;
import jakarta.persistence.Embeddable;

/**
 * A plan's client-level differential privacy: each site clips its update to {@code clipNorm} and
 * adds Gaussian noise of {@code noiseMultiplier} times it; {@code delta} is the accountant's, and
 * {@code dataset} names the dataset (at every site) whose lifetime budget the rounds spend.
 */
@Embeddable
public class PrivacyTerms {

    @Column(name = "dp_clip_norm")
    private Double clipNorm;

    @Column(name = "dp_noise_multiplier")
    private Double noiseMultiplier;

    @Column(name = "dp_delta")
    private Double delta;

    @Column(name = "dp_dataset", length = 100)
    private String dataset;

    protected PrivacyTerms() {
    }

    /** Terms as asked for; {@link FederationPlan} checks them ({@link #check}) when it is built. */
    public PrivacyTerms(double clipNorm, double noiseMultiplier, double delta, String dataset) {
        this.clipNorm = clipNorm;
        this.noiseMultiplier = noiseMultiplier;
        this.delta = delta;
        this.dataset = dataset;
    }

    /**
     * @throws IllegalArgumentException naming the field that is out of range
     */
    void check() {
        if (dataset != null) {
            org.civitas.domain.consortium.Codes.require(dataset, "privacy dataset");
        }
        if (!(clipNorm > 0) || !Double.isFinite(clipNorm)) {
            throw new IllegalArgumentException("invalid federation plan: privacy clipNorm must be a positive number, was " + clipNorm);
        }
        if (!(noiseMultiplier >= 0) || !Double.isFinite(noiseMultiplier)) {
            throw new IllegalArgumentException("invalid federation plan: privacy noiseMultiplier must be a non-negative number, was "
                    + noiseMultiplier);
        }
        if (!(delta > 0 && delta < 1)) {
            throw new IllegalArgumentException("invalid federation plan: privacy delta must be in (0, 1), was " + delta);
        }
    }

    /** Whether the terms are set: a plan without privacy may load them with every column null. */
    boolean isSet() {
        return clipNorm != null;
    }

    public Double getClipNorm() {
        return clipNorm;
    }

    public Double getNoiseMultiplier() {
        return noiseMultiplier;
    }

    public Double getDelta() {
        return delta;
    }

    public String getDataset() {
        return dataset;
    }
}
