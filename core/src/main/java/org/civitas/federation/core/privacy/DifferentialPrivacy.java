package org.civitas.federation.core.privacy;

import org.civitas.federation.core.aggregation.AggregateResult;
import org.civitas.federation.core.aggregation.FitResult;
import org.civitas.federation.core.aggregation.RoundContext;
import org.civitas.federation.core.aggregation.Strategy;
import org.civitas.federation.core.aggregation.StrategyWrapper;
import org.civitas.federation.core.aggregation.WeightedSum;
import org.civitas.federation.core.tensor.NamedTensors;

import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Client-level differential privacy (DP-FedAvg): every update is clipped to L2 norm C, the clipped
 * updates are summed with equal weight, Gaussian noise N(0, σ²C²) is added to the sum, and the sum
 * is divided by the expected number of sites. The wrapped mean-based rule then takes that private
 * mean as the round's only update (so FedAdam or FedAvgM can run on top of it).
 *
 * <p>McMahan, Ramage, Talwar, Zhang: "Learning Differentially Private Recurrent Language Models",
 * ICLR 2018.
 *
 * <p>Parameters: {@code clipNorm} C &gt; 0, {@code noiseMultiplier} σ ≥ 0, {@code expectedSites} (the
 * fixed denominator), and where the noise is added: at the server, or already at the sites (split
 * as N(0, σ²C²/n) each, for secure aggregation, where the server never sees an individual update).
 * The (ε, δ) spent per round comes from {@link RdpAccountant} with q = sampled fraction of sites.
 * Streams updates.
 */
public final class DifferentialPrivacy extends StrategyWrapper {

    /** Round-task keys that tell sites to clip and add their share of the noise. */
    public static final String CLIP_NORM = "dpClipNorm";
    public static final String SITE_NOISE_MULTIPLIER = "dpSiteNoiseMultiplier";
    public static final String NOISE_SHARES = "dpNoiseShares";

    private final double clipNorm;
    private final double noiseMultiplier;
    private final int expectedSites;
    private final boolean noiseAtSites;
    private final SplittableRandom random;

    public DifferentialPrivacy(Strategy inner, double clipNorm, double noiseMultiplier, int expectedSites, boolean noiseAtSites,
                               SplittableRandom random) {
        super(inner);
        if (!inner.isMeanBased()) {
            throw new IllegalArgumentException("differential privacy needs a mean-based rule; " + inner.name()
                    + " needs individual updates");
        }
        if (!(clipNorm > 0)) {
            throw new IllegalArgumentException("DP clipNorm must be positive, was " + clipNorm);
        }
        if (!(noiseMultiplier >= 0) || !Double.isFinite(noiseMultiplier)) {
            throw new IllegalArgumentException("DP noiseMultiplier must be a non-negative number, was " + noiseMultiplier);
        }
        if (expectedSites < 1) {
            throw new IllegalArgumentException("DP expectedSites must be at least 1, was " + expectedSites);
        }
        this.clipNorm = clipNorm;
        this.noiseMultiplier = noiseMultiplier;
        this.expectedSites = expectedSites;
        this.noiseAtSites = noiseAtSites;
        this.random = random;
    }

    public DifferentialPrivacy(Strategy inner, double clipNorm, double noiseMultiplier, int expectedSites, boolean noiseAtSites) {
        this(inner, clipNorm, noiseMultiplier, expectedSites, noiseAtSites, UpdatePrivacy.secureSeeded());
    }

    @Override
    public Map<String, Double> configureFit(int roundNumber) {
        Map<String, Double> config = new java.util.HashMap<>(inner.configureFit(roundNumber));
        config.put(CLIP_NORM, clipNorm);
        if (noiseAtSites) {
            config.put(SITE_NOISE_MULTIPLIER, noiseMultiplier);
            config.put(NOISE_SHARES, (double) expectedSites);
        }
        return Map.copyOf(config);
    }

    public double noiseMultiplier() {
        return noiseMultiplier;
    }

    @Override
    public AggregateResult aggregateFit(RoundContext context, NamedTensors global, Iterable<FitResult> results) {
        WeightedSum sum = new WeightedSum(global);
        for (FitResult r : results) {
            // Server-side noise: clip here too, so the bound holds whatever a site sent. Noise at the sites:
            // updates arrive clipped and noised, and clipping again would shrink the noise, so they are summed as sent.
            sum.add(noiseAtSites ? r.update().get() : UpdatePrivacy.clip(r.update().get(), clipNorm), 1.0);
        }
        org.civitas.federation.core.aggregation.Updates.requireAny(context.roundNumber(), sum.count());
        // mean() divides by the count; DP-FedAvg divides by the fixed expected number of sites.
        NamedTensors total = org.civitas.federation.core.aggregation.Updates.scaled(sum.mean(), (float) sum.count());
        NamedTensors noised = noiseAtSites ? total : UpdatePrivacy.addGaussianNoise(total, noiseMultiplier * clipNorm, random);
        NamedTensors privateMean = org.civitas.federation.core.aggregation.Updates.scaled(noised, 1f / expectedSites);
        return inner.aggregateFit(context, global, List.of(new FitResult("dp-mean", 1, () -> privateMean)));
    }
}
