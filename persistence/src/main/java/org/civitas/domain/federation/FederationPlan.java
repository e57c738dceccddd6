package org.civitas.domain.federation;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.FetchType;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.GenerationType;
import jakarta.persistence.Id;
import jakarta.persistence.JoinColumn;
import jakarta.persistence.JoinTable;
import jakarta.persistence.ManyToMany;
import jakarta.persistence.OrderBy;
import jakarta.persistence.Table;
import org.civitas.domain.consortium.Site;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * What a federation will do: which sites train which model with which strategy, for how many
 * rounds. Immutable once created; identified for agreements by the SHA-256 of its canonical
 * JSON form.
 */
@Entity
@Table(name = "federation_plan")
public class FederationPlan {

    public static final int MAX_ROUNDS = 1000;

    /** Models a plan may name; the multimodal one is described by a model manifest and runs in the model worker. */
    public static final List<String> MODEL_KINDS = List.of("softmax-regression", "softmax-lora", "multimodal-lora");

    @Id
    @GeneratedValue(strategy = GenerationType.IDENTITY)
    private Long id;

    @Column(nullable = false, length = 200)
    private String name;

    @Column(name = "model_kind", nullable = false, length = 64)
    private String modelKind;

    @Column(name = "feature_count", nullable = false)
    private int featureCount;

    @Column(name = "class_count", nullable = false)
    private int classCount;

    @Column(nullable = false, length = 64)
    private String strategy;

    @Column(nullable = false)
    private int rounds;

    @Column(name = "local_epochs", nullable = false)
    private int localEpochs;

    @Column(name = "learning_rate", nullable = false)
    private double learningRate;

    @Column(name = "batch_size", nullable = false)
    private int batchSize;

    @Column(name = "min_sites", nullable = false)
    private int minSites;

    /** Updates that close a round; null means every site. */
    @Column(name = "quorum")
    private Integer quorum;

    @Column(name = "strategy_params", nullable = false, length = 2000)
    private String strategyParams = "{}";

    @Column(name = "filters", nullable = false, length = 2000)
    private String filters = "{}";

    /** Client-level differential privacy, or all null when off. */
    @Column(name = "dp_clip_norm")
    private Double dpClipNorm;

    @Column(name = "dp_noise_multiplier")
    private Double dpNoiseMultiplier;

    @Column(name = "dp_delta")
    private Double dpDelta;

    /** The dataset (by name, at every site) whose lifetime privacy budget the plan's rounds spend. */
    @Column(name = "dp_dataset", length = 100)
    private String dpDataset;

    /** Secure aggregation: Shamir threshold t and fixed-point fraction bits, or both null when off. */
    @Column(name = "secagg_threshold")
    private Integer secaggThreshold;

    @Column(name = "secagg_fraction_bits")
    private Integer secaggFractionBits;

    /** Credits issued per valued round and split among the sites by contribution; null: no rewards. */
    @Column(name = "reward_per_round", precision = 19, scale = 4)
    private java.math.BigDecimal rewardPerRound;

    /** A site valued below this in a round does not receive the next global model; null: no such rule. */
    @Column(name = "min_contribution")
    private Double minContribution;

    /** Fraction of each round's reward paid in equal parts to every eligible site; null: none. */
    @Column(name = "participation_share")
    private Double participationShare;

    /** SHA-256 of the canonical model manifest, for models described by one. */
    @Column(name = "model_manifest_sha256", length = 64)
    private String modelManifestSha256;

    /** The same manifest's hash in the legacy form, so that agreements approved under that form still match. */
    @Column(name = "model_manifest_legacy_sha256", length = 64)
    private String modelManifestLegacySha256;

    @Column(name = "round_timeout_seconds", nullable = false)
    private long roundTimeoutSeconds;

    @ManyToMany(fetch = FetchType.EAGER)
    @JoinTable(name = "federation_plan_site",
            joinColumns = @JoinColumn(name = "plan_id"),
            inverseJoinColumns = @JoinColumn(name = "site_id"))
    @OrderBy("code")
    private List<Site> sites = new ArrayList<>();

    @Column(name = "canonical_json", nullable = false, length = 8000)
    private String canonicalJson;

    @Column(name = "plan_sha256", nullable = false, length = 64)
    private String planSha256;

    /** Which canonical form {@link #canonicalJson} and {@link #planSha256} are in ({@link CanonicalJson}). */
    @Column(name = "canonical_form", nullable = false, length = 20)
    private String canonicalForm = CanonicalJson.RFC_8785;

    protected FederationPlan() {
    }

    public FederationPlan(String name, String modelKind, int featureCount, int classCount, String strategy, int rounds,
                          int localEpochs, double learningRate, int batchSize, int minSites, Duration roundTimeout,
                          List<Site> sites) {
        this(name, modelKind, featureCount, classCount, strategy, Map.of(), Map.of(), null, rounds, localEpochs,
                learningRate, batchSize, minSites, roundTimeout, sites);
    }

    /**
     * @param strategy       an aggregation rule's name; the caller has checked it and its parameters
     * @param strategyParams the rule's parameters
     * @param filters        pre-fusion filters and their thresholds
     * @param quorum         updates that close a round, or null for every site
     */
    public FederationPlan(String name, String modelKind, int featureCount, int classCount, String strategy,
                          Map<String, Double> strategyParams, Map<String, Double> filters, Integer quorum, int rounds,
                          int localEpochs, double learningRate, int batchSize, int minSites, Duration roundTimeout,
                          List<Site> sites) {
        List<String> problems = new ArrayList<>();
        if (name == null || name.isBlank()) {
            problems.add("name must not be blank");
        }
        if (!MODEL_KINDS.contains(modelKind)) {
            problems.add("model '" + modelKind + "' is not known (known: " + String.join(", ", MODEL_KINDS) + ")");
        }
        if (featureCount < 1 || featureCount > 100_000) {
            problems.add("featureCount must be in [1, 100000], was " + featureCount);
        }
        if (classCount < 2 || classCount > 1000) {
            problems.add("classCount must be in [2, 1000], was " + classCount);
        }
        if (strategy == null || strategy.isBlank()) {
            problems.add("strategy must not be blank");
        }
        if (rounds < 1 || rounds > MAX_ROUNDS) {
            problems.add("rounds must be in [1, " + MAX_ROUNDS + "], was " + rounds);
        }
        if (localEpochs < 1 || localEpochs > 100) {
            problems.add("localEpochs must be in [1, 100], was " + localEpochs);
        }
        if (!(learningRate > 0 && learningRate <= 10)) {
            problems.add("learningRate must be in (0, 10], was " + learningRate);
        }
        if (batchSize < 1 || batchSize > 100_000) {
            problems.add("batchSize must be in [1, 100000], was " + batchSize);
        }
        if (sites == null || sites.isEmpty()) {
            problems.add("a plan needs at least one site");
        } else {
            if (sites.stream().map(Site::getCode).distinct().count() != sites.size()) {
                problems.add("sites must not repeat");
            }
            if (minSites < 1 || minSites > sites.size()) {
                problems.add("minSites must be in [1, " + sites.size() + "] for " + sites.size() + " sites, was " + minSites);
            }
            if (quorum != null && (quorum < 1 || quorum > sites.size())) {
                problems.add("quorum must be in [1, " + sites.size() + "] for " + sites.size() + " sites, was " + quorum);
            }
        }
        if (roundTimeout == null || roundTimeout.getSeconds() < 1 || roundTimeout.toDays() > 30) {
            problems.add("roundTimeoutSeconds must be between 1 second and 30 days");
        }
        if (!problems.isEmpty()) {
            throw new IllegalArgumentException("invalid federation plan: " + String.join("; ", problems));
        }
        this.name = name.strip();
        this.modelKind = modelKind;
        this.featureCount = featureCount;
        this.classCount = classCount;
        this.strategy = strategy;
        this.strategyParams = NumberMaps.toJson(strategyParams);
        this.filters = NumberMaps.toJson(filters);
        this.quorum = quorum;
        this.rounds = rounds;
        this.localEpochs = localEpochs;
        this.learningRate = learningRate;
        this.batchSize = batchSize;
        this.minSites = minSites;
        this.roundTimeoutSeconds = roundTimeout.getSeconds();
        this.sites = new ArrayList<>(sites);
        this.sites.sort(java.util.Comparator.comparing(Site::getCode));
        rehash();
    }

    /** The canonical JSON and hash, in RFC 8785 form, after the plan changed (before it is stored). */
    private void rehash() {
        this.canonicalJson = CanonicalJson.of(jsonText(false));
        this.planSha256 = CanonicalJson.sha256(canonicalJson);
        this.canonicalForm = CanonicalJson.RFC_8785;
    }

    /**
     * The plan's hash in the given canonical form: its own hash in its own form, else recomputed
     * from its fields (an agreement approved under the legacy form names the legacy hash).
     */
    public String sha256In(String form) {
        if (form.equals(canonicalForm)) {
            return planSha256;
        }
        return switch (form) {
            case CanonicalJson.RFC_8785 -> CanonicalJson.sha256(CanonicalJson.of(jsonText(false)));
            case CanonicalJson.LEGACY -> CanonicalJson.sha256(jsonText(true));
            default -> throw new IllegalArgumentException("unknown canonical form '" + form + "'");
        };
    }

    /**
     * The plan as a JSON text with keys sorted. {@code legacy}: exactly the text hashed until
     * 2026-12 (strings escaped for quotes and backslashes only, the manifest's legacy hash); else a
     * correctly escaped text for RFC 8785 canonicalization.
     */
    private String jsonText(boolean legacy) {
        java.util.function.Function<String, String> quoted = legacy ? FederationPlan::legacyQuoted : CanonicalJson::string;
        String manifest = legacy ? modelManifestLegacySha256 : modelManifestSha256;
        Map<String, String> fields = new java.util.TreeMap<>();
        fields.put("batchSize", Integer.toString(batchSize));
        fields.put("classCount", Integer.toString(classCount));
        fields.put("featureCount", Integer.toString(featureCount));
        fields.put("learningRate", Double.toString(learningRate));
        fields.put("localEpochs", Integer.toString(localEpochs));
        fields.put("minSites", Integer.toString(minSites));
        fields.put("model", quoted.apply(modelKind));
        fields.put("name", quoted.apply(name));
        fields.put("roundTimeoutSeconds", Long.toString(roundTimeoutSeconds));
        fields.put("rounds", Integer.toString(rounds));
        fields.put("sites", "[" + String.join(",", sites.stream().map(site -> quoted.apply(site.getCode())).toList()) + "]");
        fields.put("strategy", quoted.apply(strategy));
        // Keys added after the first schema appear only when set, so older plans keep their hash.
        if (!"{}".equals(strategyParams)) {
            fields.put("strategyParams", strategyParams);
        }
        if (!"{}".equals(filters)) {
            fields.put("filters", filters);
        }
        if (quorum != null) {
            fields.put("quorum", Integer.toString(quorum));
        }
        if (dpClipNorm != null) {
            fields.put("privacy", "{\"clipNorm\":" + dpClipNorm + (dpDataset == null ? "" : ",\"dataset\":" + quoted.apply(dpDataset))
                    + ",\"delta\":" + dpDelta + ",\"noiseMultiplier\":" + dpNoiseMultiplier + "}");
        }
        if (secaggThreshold != null) {
            fields.put("secureAggregation", "{\"fractionBits\":" + secaggFractionBits + ",\"threshold\":" + secaggThreshold + "}");
        }
        if (manifest != null) {
            fields.put("modelManifest", quoted.apply(manifest));
        }
        if (rewardPerRound != null || minContribution != null || participationShare != null) {
            List<String> incentives = new ArrayList<>();
            if (minContribution != null) {
                incentives.add("\"minContribution\":" + minContribution);
            }
            if (participationShare != null) {
                incentives.add("\"participationShare\":" + participationShare);
            }
            if (rewardPerRound != null) {
                incentives.add("\"rewardPerRound\":" + rewardPerRound.toPlainString());
            }
            fields.put("incentives", "{" + String.join(",", incentives) + "}");
        }
        StringBuilder json = new StringBuilder("{");
        fields.forEach((k, v) -> json.append(json.length() > 1 ? "," : "").append('"').append(k).append("\":").append(v));
        return json.append('}').toString();
    }

    /** The legacy form's quoting: quotes and backslashes only (a control character made it invalid JSON). */
    private static String legacyQuoted(String text) {
        return '"' + text.replace("\\", "\\\\").replace("\"", "\\\"") + '"';
    }

    public boolean includes(Site site) {
        return sites.stream().anyMatch(s -> s.getCode().equals(site.getCode()));
    }

    public Long getId() {
        return id;
    }

    public String getName() {
        return name;
    }

    public String getModelKind() {
        return modelKind;
    }

    public int getFeatureCount() {
        return featureCount;
    }

    public int getClassCount() {
        return classCount;
    }

    public String getStrategy() {
        return strategy;
    }

    public int getRounds() {
        return rounds;
    }

    public int getLocalEpochs() {
        return localEpochs;
    }

    public double getLearningRate() {
        return learningRate;
    }

    public int getBatchSize() {
        return batchSize;
    }

    public int getMinSites() {
        return minSites;
    }

    /** Updates that close a round: the plan's quorum, or every site. */
    public int getQuorum() {
        return quorum == null ? sites.size() : quorum;
    }

    public Map<String, Double> getStrategyParams() {
        return NumberMaps.fromJson(strategyParams);
    }

    public Map<String, Double> getFilters() {
        return NumberMaps.fromJson(filters);
    }

    /**
     * Switches on client-level differential privacy. Only before the plan is stored: the canonical
     * form and hash are computed again.
     */
    public FederationPlan withDifferentialPrivacy(double clipNorm, double noiseMultiplier, double delta) {
        return withDifferentialPrivacy(clipNorm, noiseMultiplier, delta, null);
    }

    /** As {@link #withDifferentialPrivacy(double, double, double)}, naming the dataset whose privacy budget the rounds spend. */
    public FederationPlan withDifferentialPrivacy(double clipNorm, double noiseMultiplier, double delta, String dataset) {
        if (dataset != null) {
            org.civitas.domain.consortium.Codes.require(dataset, "privacy dataset");
        }
        this.dpDataset = dataset;
        if (id != null) {
            throw new IllegalStateException("a stored plan does not change");
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
        this.dpClipNorm = clipNorm;
        this.dpNoiseMultiplier = noiseMultiplier;
        this.dpDelta = delta;
        rehash();
        return this;
    }

    /**
     * Sets the plan's incentive rules: {@code rewardPerRound} credits split among the sites of each
     * valued round by contribution, and the minimum contribution a site must reach in a round to
     * receive the next global model. Either may be null.
     */
    public FederationPlan withIncentives(java.math.BigDecimal rewardPerRound, Double minContribution) {
        return withIncentives(rewardPerRound, minContribution, null);
    }

    /** As {@link #withIncentives(java.math.BigDecimal, Double)}, with the participation share of each reward, in [0, 1]. */
    public FederationPlan withIncentives(java.math.BigDecimal rewardPerRound, Double minContribution, Double participationShare) {
        if (participationShare != null && !(participationShare >= 0 && participationShare <= 1)) {
            throw new IllegalArgumentException("invalid federation plan: incentives participationShare must be in [0, 1], was "
                    + participationShare);
        }
        this.participationShare = participationShare;
        if (id != null) {
            throw new IllegalStateException("a stored plan does not change");
        }
        if (rewardPerRound != null && (rewardPerRound.signum() < 0 || rewardPerRound.compareTo(java.math.BigDecimal.valueOf(1_000_000_000L)) > 0
                || rewardPerRound.stripTrailingZeros().scale() > 4)) {
            throw new IllegalArgumentException("invalid federation plan: incentives rewardPerRound must be in [0, 1e9] with at most 4 decimals, was "
                    + rewardPerRound.toPlainString());
        }
        if (minContribution != null && !Double.isFinite(minContribution)) {
            throw new IllegalArgumentException("invalid federation plan: incentives minContribution must be a finite number");
        }
        this.rewardPerRound = rewardPerRound == null ? null : rewardPerRound.setScale(4);
        this.minContribution = minContribution;
        rehash();
        return this;
    }

    /**
     * Switches on secure aggregation: sites upload only masked updates, and the coordinator learns
     * only the sum of the survivors' updates. The threshold t must be a strict majority of the sites
     * (so no two disjoint groups can each rebuild secrets) and at least 2; at least three sites
     * (with two, each could subtract its own update from the sum and read the other's).
     */
    public FederationPlan withSecureAggregation(int threshold, int fractionBits) {
        if (id != null) {
            throw new IllegalStateException("a stored plan does not change");
        }
        int n = sites.size();
        if (n < 3) {
            throw new IllegalArgumentException("invalid federation plan: secure aggregation needs at least 3 sites, the plan has " + n
                    + " (with two, each site could read the other's update from the sum)");
        }
        if (threshold <= n / 2 || threshold > n) {
            throw new IllegalArgumentException("invalid federation plan: secureAggregation threshold must be in [" + (n / 2 + 1) + ", "
                    + n + "] for " + n + " sites (a strict majority), was " + threshold);
        }
        if (fractionBits < 8 || fractionBits > 24) {
            throw new IllegalArgumentException("invalid federation plan: secureAggregation fractionBits must be in [8, 24], was "
                    + fractionBits);
        }
        if (threshold > minSites) {
            throw new IllegalArgumentException("invalid federation plan: secureAggregation threshold " + threshold
                    + " exceeds minSites " + minSites + ": a round that closes with minSites updates could not be unmasked");
        }
        this.secaggThreshold = threshold;
        this.secaggFractionBits = fractionBits;
        rehash();
        return this;
    }

    public boolean isSecureAggregation() {
        return secaggThreshold != null;
    }

    public Integer getSecaggThreshold() {
        return secaggThreshold;
    }

    public Integer getSecaggFractionBits() {
        return secaggFractionBits;
    }

    /** Binds the plan to the model manifest its model is built from (by the manifest's hash, and its legacy hash). */
    public FederationPlan withModelManifest(String sha256, String legacySha256) {
        if (id != null) {
            throw new IllegalStateException("a stored plan does not change");
        }
        if (sha256 == null || !sha256.matches("[0-9a-f]{64}")) {
            throw new IllegalArgumentException("invalid federation plan: model manifest hash must be 64 hex digits");
        }
        this.modelManifestSha256 = sha256;
        this.modelManifestLegacySha256 = legacySha256;
        rehash();
        return this;
    }

    public String getCanonicalForm() {
        return canonicalForm;
    }

    public String getModelManifestSha256() {
        return modelManifestSha256;
    }

    public java.math.BigDecimal getRewardPerRound() {
        return rewardPerRound;
    }

    public Double getParticipationShare() {
        return participationShare;
    }

    public Double getMinContribution() {
        return minContribution;
    }

    public boolean isDifferentiallyPrivate() {
        return dpClipNorm != null;
    }

    public Double getDpClipNorm() {
        return dpClipNorm;
    }

    public Double getDpNoiseMultiplier() {
        return dpNoiseMultiplier;
    }

    public String getDpDataset() {
        return dpDataset;
    }

    public Double getDpDelta() {
        return dpDelta;
    }

    public Duration getRoundTimeout() {
        return Duration.ofSeconds(roundTimeoutSeconds);
    }

    public List<Site> getSites() {
        return List.copyOf(sites);
    }

    public String getCanonicalJson() {
        return canonicalJson;
    }

    public String getPlanSha256() {
        return planSha256;
    }
}
