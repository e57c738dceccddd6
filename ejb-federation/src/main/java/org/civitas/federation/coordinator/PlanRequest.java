package org.civitas.federation.coordinator;

import java.util.List;
import java.util.Map;

/**
 * What a caller may say when starting a federation; every field is optional and falls back to its
 * default (the server's default sites, FedAvg, 5 rounds). Without a task the model is a feature model
 * over each site's feature table of {@link org.civitas.federation.common.ModelCatalog#FEATURE_COUNT}
 * features and {@link org.civitas.federation.common.ModelCatalog#FEATURE_CLASSES} classes.
 *
 * @param sites          the sites it trains at; none: the server's default sites ({@code civitas.plan.default-sites})
 * @param model          {@code softmax-regression} (default without a task), {@code softmax-lora} (a rank-4 LoRA
 *                       adapter), or {@code multimodal-lora} (the default with a task, and only with one)
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
 *                       that task's data); null for the feature models
 * @param taskVersion    the task's version; null for its newest
 * @param modelManifest  with a task: the SHA-256 of a registered model manifest, whose head the
 *                       task's labels size
 * @param datasets       with a task: for every site, the dataset version it trains on
 * @param quality        with a task: a gate on each site's dataset version, which must have a
 *                       data-quality report flagging at most {@code maxFlaggedShare} of its items
 * @param seed           the number the sites' training seeds derive from, so that federations of
 *                       equal settings train alike; null: each line of federations seeds from its
 *                       first federation's id
 */
public record PlanRequest(String name, List<String> sites, String model, String strategy, Map<String, Double> strategyParams,
                          Map<String, Double> filters, Integer quorum, Integer rounds, Integer localEpochs,
                          Double learningRate, Integer batchSize, Integer minSites, Long roundTimeoutSeconds,
                          Privacy privacy, Incentives incentives, SecureAggregation secureAggregation,
                          String task, Integer taskVersion, String modelManifest, Map<String, DatasetRef> datasets,
                          Quality quality, Long seed) {

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

    /** A request that says nothing: every field takes its default (the default sites, a feature model, FedAvg, 5 rounds). */
    public static PlanRequest defaults() {
        return new PlanRequest(null, null, null, null, null, null, null, null, null, null, null, null, null, null, null, null, null, null,
                null, null, null, null);
    }
}
