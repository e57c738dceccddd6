package org.civitas.federation.coordinator;

import java.util.List;
import java.util.Map;

/**
 * What a caller may say when starting a federation; every field is optional and falls back to the
 * demo plan (the three demo sites, FedAvg, 5 rounds). The models are the demo task's over {@link org.civitas.federation.common.ReferenceConsortium#FEATURES} features and
 * {@link org.civitas.federation.common.ReferenceConsortium#CLASSES} classes.
 *
 * @param model          {@code softmax-regression} (default) or {@code softmax-lora} (a rank-4 LoRA adapter)
 * @param strategy       an aggregation rule from {@code GET /api/strategies}
 * @param strategyParams the rule's parameters; missing ones take their defaults
 * @param filters        pre-fusion filters ({@code maxNorm}, {@code minCosine})
 * @param quorum         updates that close a round; defaults to every site (FedBuff: its buffer size)
 * @param privacy        client-level differential privacy, or null for none
 * @param incentives     rewards and the contribution rule; null gives mean-based rules the default
 *                       reward of {@value #DEFAULT_REWARD_PER_ROUND} credits per round
 * @param secureAggregation sites upload only masked updates and the coordinator learns only their
 *                       sum; null for none
 * @param task           a registered task the plan trains for (the multimodal model then reads
 *                       that task's data); null for the built-in models
 * @param taskVersion    the task's version; null for its newest
 * @param modelManifest  with a task: the SHA-256 of a registered model manifest, whose head the
 *                       task's labels size
 * @param datasets       with a task: for every site, the dataset version it trains on
 * @param quality        with a task: a gate on each site's dataset version, which must have a
 *                       data-quality report flagging at most {@code maxFlaggedShare} of its items
 */
public record PlanRequest(String name, List<String> sites, String model, String strategy, Map<String, Double> strategyParams,
                          Map<String, Double> filters, Integer quorum, Integer rounds, Integer localEpochs,
                          Double learningRate, Integer batchSize, Integer minSites, Long roundTimeoutSeconds,
                          Privacy privacy, Incentives incentives, SecureAggregation secureAggregation,
                          String task, Integer taskVersion, String modelManifest, Map<String, DatasetRef> datasets,
                          Quality quality) {

    /** A plan's data-quality gate: at most this share (0 to 1) of a dataset version's items flagged by its newest report. */
    public record Quality(Double maxFlaggedShare) {
    }

    /** A site's dataset version: its name and content hash, as the site registered it ({@code GET /api/datasets}). */
    public record DatasetRef(String name, String sha256) {
    }

    public static final int DEFAULT_REWARD_PER_ROUND = 100;

    /**
     * Incentive rules: {@code rewardPerRound} credits issued per valued round and split among the
     * sites by contribution; a site valued under {@code minContribution} in a round (or flagged as a
     * free rider) does not receive the next global model; {@code participationShare} of each reward
     * (default {@value #DEFAULT_PARTICIPATION_SHARE}) is paid in equal parts to every eligible site.
     */
    public record Incentives(java.math.BigDecimal rewardPerRound, Double minContribution, Double participationShare) {
    }

    /** Share of each reward paid in equal parts to the eligible sites, unless the plan says otherwise. */
    public static final double DEFAULT_PARTICIPATION_SHARE = 0.2;

    /**
     * Client-level differential privacy (DP-FedAvg): updates clipped to {@code clipNorm}, Gaussian
     * noise of {@code noiseMultiplier} x clipNorm on their sum; epsilon is reported at {@code delta}
     * (default 1e-5).
     */
    public record Privacy(Double clipNorm, Double noiseMultiplier, Double delta, String dataset) {
    }

    /**
     * Secure aggregation: Shamir {@code threshold} t (default a strict majority of the sites; a
     * round survives up to n − t dropouts) and {@code fractionBits} of the fixed-point encoding
     * (default {@value #DEFAULT_FRACTION_BITS}: resolution 2^-16, each value bounded by 2^15 / n).
     */
    public record SecureAggregation(Integer threshold, Integer fractionBits) {
    }

    public static final int DEFAULT_FRACTION_BITS = 16;

    /** The demo's second federation: the multimodal model, trained in the sites' model worker. */
    public static PlanRequest multimodalDemo() {
        return new PlanRequest("City safety multimodal demo", null, "multimodal-lora", null, null, null, null, 3, null, null, null,
                null, null, null, null, null, null, null, null, null, null);
    }

    /**
     * The demo's third federation: secure aggregation and client-level DP together, the noise split
     * across the sites; its rounds are charged to the sites' privacy ledgers for the dataset.
     */
    public static PlanRequest privateDemo() {
        return new PlanRequest("City safety private demo", null, null, null, null, null, null, 5, null, null, null, null, null,
                new Privacy(1.0, 0.5, 1e-5, "incident-features"), null, new SecureAggregation(null, null), null, null, null, null, null);
    }

    public static PlanRequest demo() {
        return new PlanRequest(null, null, null, null, null, null, null, null, null, null, null, null, null, null, null, null, null, null,
                null, null, null);
    }
}
