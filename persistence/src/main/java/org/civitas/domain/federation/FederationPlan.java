package org.civitas.domain.federation;

import jakarta.persistence.Column;
import jakarta.persistence.Embedded;
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

    /** Client-level differential privacy; unset (all columns null) when off. */
    @Embedded
    private PrivacyTerms privacy;

    /** Secure aggregation; unset when off. */
    @Embedded
    private SecureAggregationTerms secureAggregation;

    /** Rewards and the minimum contribution; unset when the plan has none. */
    @Embedded
    private IncentiveTerms incentives;

    /** SHA-256 of the canonical model manifest, for models described by one. */
    @Column(name = "model_manifest_sha256", length = 64)
    private String modelManifestSha256;

    /** The same manifest's hash in the legacy form, so that agreements approved under that form still match. */
    @Column(name = "model_manifest_legacy_sha256", length = 64)
    private String modelManifestLegacySha256;

    @Column(name = "round_timeout_seconds", nullable = false)
    private long roundTimeoutSeconds;

    /** The registered task the plan trains for, and its version; null for the built-in models' plans. */
    @Column(name = "task_name", length = 64)
    private String taskName;

    @Column(name = "task_version")
    private Integer taskVersion;

    /** With a task: the largest share of a dataset version's items its data-quality report may flag; null for no gate. */
    @Column(name = "quality_max_flagged_share")
    private Double qualityMaxFlaggedShare;

    /** Each site's dataset version, by site code; empty without a task. */
    @jakarta.persistence.ElementCollection(fetch = FetchType.EAGER)
    @jakarta.persistence.CollectionTable(name = "federation_plan_dataset", joinColumns = @JoinColumn(name = "plan_id"))
    @jakarta.persistence.MapKeyColumn(name = "site_code", length = 64)
    private Map<String, PlannedDataset> trainingDatasets = new java.util.TreeMap<>();

    @ManyToMany(fetch = FetchType.EAGER)
    @JoinTable(name = "federation_plan_site",
            joinColumns = @JoinColumn(name = "plan_id"),
            inverseJoinColumns = @JoinColumn(name = "site_id"))
    @OrderBy("code")
    private List<Site> sites = new ArrayList<>();

    /** The number the sites' training seeds derive from; null: from the federation line's first id. */
    @Column(name = "seed")
    private Long seed;

    @Column(name = "canonical_json", nullable = false, length = 1_000_000)
    private String canonicalJson;

    @Column(name = "plan_sha256", nullable = false, length = 64)
    private String planSha256;

    /** Which canonical form {@link #canonicalJson} and {@link #planSha256} are in ({@link CanonicalJson}). */
    @Column(name = "canonical_form", nullable = false, length = 20)
    private String canonicalForm = CanonicalJson.RFC_8785;

    protected FederationPlan() {
    }

    /**
     * What a plan is made of, before it is checked. {@code strategy} is an aggregation rule's name
     * that the caller has checked with its parameters; {@code quorum} is the number of updates that
     * close a round, or null for every site; the terms and the manifest are null when not used.
     */
    public record Spec(String name, String modelKind, int featureCount, int classCount, String strategy,
                       Map<String, Double> strategyParams, Map<String, Double> filters, Integer quorum, int rounds, int localEpochs,
                       double learningRate, int batchSize, int minSites, Duration roundTimeout, List<Site> sites,
                       PrivacyTerms privacy, SecureAggregationTerms secureAggregation, IncentiveTerms incentives,
                       String modelManifestSha256, String modelManifestLegacySha256, TaskBinding task, Long seed) {

        /**
         * Checks the base settings, all at once, so that a request wrong in them hears of every one.
         *
         * @throws IllegalArgumentException listing the problems
         */
        public void requireValidBase() {
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
        }

        /** A plan of the base settings only: no privacy, secure aggregation, incentives or manifest. */
        public static Spec of(String name, String modelKind, int featureCount, int classCount, String strategy,
                              Map<String, Double> strategyParams, Map<String, Double> filters, Integer quorum, int rounds,
                              int localEpochs, double learningRate, int batchSize, int minSites, Duration roundTimeout, List<Site> sites) {
            return new Spec(name, modelKind, featureCount, classCount, strategy, strategyParams, filters, quorum, rounds, localEpochs,
                    learningRate, batchSize, minSites, roundTimeout, sites, null, null, null, null, null, null, null);
        }

        /** The softmax plan of the earliest schema: no rule parameters, filters or quorum. */
        public static Spec of(String name, String modelKind, int featureCount, int classCount, String strategy, int rounds,
                              int localEpochs, double learningRate, int batchSize, int minSites, Duration roundTimeout, List<Site> sites) {
            return of(name, modelKind, featureCount, classCount, strategy, Map.of(), Map.of(), null, rounds, localEpochs, learningRate,
                    batchSize, minSites, roundTimeout, sites);
        }

        public Spec withPrivacy(PrivacyTerms terms) {
            return new Spec(name, modelKind, featureCount, classCount, strategy, strategyParams, filters, quorum, rounds, localEpochs,
                    learningRate, batchSize, minSites, roundTimeout, sites, terms, secureAggregation, incentives, modelManifestSha256,
                    modelManifestLegacySha256, task, seed);
        }

        public Spec withSecureAggregation(SecureAggregationTerms terms) {
            return new Spec(name, modelKind, featureCount, classCount, strategy, strategyParams, filters, quorum, rounds, localEpochs,
                    learningRate, batchSize, minSites, roundTimeout, sites, privacy, terms, incentives, modelManifestSha256,
                    modelManifestLegacySha256, task, seed);
        }

        public Spec withIncentives(IncentiveTerms terms) {
            return new Spec(name, modelKind, featureCount, classCount, strategy, strategyParams, filters, quorum, rounds, localEpochs,
                    learningRate, batchSize, minSites, roundTimeout, sites, privacy, secureAggregation, terms, modelManifestSha256,
                    modelManifestLegacySha256, task, seed);
        }

        /** Binds the plan to its model's manifest, by the manifest's hash and its legacy hash. */
        public Spec withModelManifest(String sha256, String legacySha256) {
            return new Spec(name, modelKind, featureCount, classCount, strategy, strategyParams, filters, quorum, rounds, localEpochs,
                    learningRate, batchSize, minSites, roundTimeout, sites, privacy, secureAggregation, incentives, sha256, legacySha256, task, seed);
        }

        /** Binds the plan to a registered task version and each site's dataset of it. */
        public Spec withTask(TaskBinding binding) {
            return new Spec(name, modelKind, featureCount, classCount, strategy, strategyParams, filters, quorum, rounds, localEpochs,
                    learningRate, batchSize, minSites, roundTimeout, sites, privacy, secureAggregation, incentives, modelManifestSha256,
                    modelManifestLegacySha256, binding, seed);
        }

        /**
         * Fixes the number the sites' training seeds derive from, so that two federations of equal
         * settings train alike; without it each line of federations seeds from its first federation's id.
         */
        public Spec withSeed(Long value) {
            return new Spec(name, modelKind, featureCount, classCount, strategy, strategyParams, filters, quorum, rounds, localEpochs,
                    learningRate, batchSize, minSites, roundTimeout, sites, privacy, secureAggregation, incentives, modelManifestSha256,
                    modelManifestLegacySha256, task, value);
        }
    }

    /** A dataset version a site trains on: its name and the SHA-256 of its content, as the site registered it. */
    public record DatasetPin(String name, String sha256) {
    }

    /**
     * The task a plan trains for (name and version) and, for every site of the plan, the dataset
     * version the site trains on. The plan's hash covers all of it, so an agreement binds exactly
     * that data.
     */
    public record TaskBinding(String name, int version, Map<String, DatasetPin> datasets, Double maxFlaggedShare) {

        public TaskBinding(String name, int version, Map<String, DatasetPin> datasets) {
            this(name, version, datasets, null);
        }
    }

    /**
     * The plan a spec describes, checked whole, with its canonical JSON and hash computed once.
     *
     * @throws IllegalArgumentException naming what is wrong: the base settings all at once, then the
     *                                  first wrong incentive, manifest, privacy or secure-aggregation term
     */
    public FederationPlan(Spec spec) {
        spec.requireValidBase();
        this.name = spec.name().strip();
        this.modelKind = spec.modelKind();
        this.featureCount = spec.featureCount();
        this.classCount = spec.classCount();
        this.strategy = spec.strategy();
        this.strategyParams = NumberMaps.toJson(spec.strategyParams());
        this.filters = NumberMaps.toJson(spec.filters());
        this.quorum = spec.quorum();
        this.rounds = spec.rounds();
        this.localEpochs = spec.localEpochs();
        this.learningRate = spec.learningRate();
        this.batchSize = spec.batchSize();
        this.minSites = spec.minSites();
        this.roundTimeoutSeconds = spec.roundTimeout().getSeconds();
        this.sites = new ArrayList<>(spec.sites());
        this.sites.sort(java.util.Comparator.comparing(Site::getCode));
        // The terms in the order the plan's rules were always applied, so the first wrong one is named.
        if (spec.incentives() != null) {
            this.incentives = spec.incentives().checked();
        }
        if (spec.modelManifestSha256() != null || spec.modelManifestLegacySha256() != null) {
            if (spec.modelManifestSha256() == null || !spec.modelManifestSha256().matches("[0-9a-f]{64}")) {
                throw new IllegalArgumentException("invalid federation plan: model manifest hash must be 64 hex digits");
            }
            this.modelManifestSha256 = spec.modelManifestSha256();
            this.modelManifestLegacySha256 = spec.modelManifestLegacySha256();
        }
        if (spec.task() != null) {
            bindTask(spec.task());
        }
        if (spec.privacy() != null) {
            spec.privacy().check();
            this.privacy = spec.privacy();
        }
        if (spec.secureAggregation() != null) {
            spec.secureAggregation().check(this.sites.size(), this.minSites);
            this.secureAggregation = spec.secureAggregation();
        }
        this.seed = spec.seed();
        this.canonicalJson = CanonicalJson.of(jsonText(false));
        this.planSha256 = CanonicalJson.sha256(canonicalJson);
        this.canonicalForm = CanonicalJson.RFC_8785;
    }

    private void bindTask(TaskBinding task) {
        if (task.name() == null || task.name().isBlank() || task.version() < 1) {
            throw new IllegalArgumentException("invalid federation plan: a task needs a name and a version from 1");
        }
        java.util.Set<String> planSites = new java.util.TreeSet<>(sites.stream().map(Site::getCode).toList());
        if (task.datasets() == null || !task.datasets().keySet().equals(planSites)) {
            throw new IllegalArgumentException("invalid federation plan: datasets must name one dataset for each site " + planSites
                    + ", named " + (task.datasets() == null ? "none" : new java.util.TreeSet<>(task.datasets().keySet())));
        }
        new java.util.TreeMap<>(task.datasets()).forEach((site, pin) -> {
            if (pin == null || pin.name() == null || pin.name().isBlank() || pin.sha256() == null || !pin.sha256().matches("[0-9a-f]{64}")) {
                throw new IllegalArgumentException("invalid federation plan: datasets." + site + " needs a name and a sha256 of 64 hex digits");
            }
            trainingDatasets.put(site, new PlannedDataset(pin.name(), pin.sha256()));
        });
        if (task.maxFlaggedShare() != null && !(task.maxFlaggedShare() >= 0 && task.maxFlaggedShare() <= 1)) {
            throw new IllegalArgumentException("invalid federation plan: quality.maxFlaggedShare must be in [0, 1], was "
                    + task.maxFlaggedShare());
        }
        this.taskName = task.name();
        this.taskVersion = task.version();
        this.qualityMaxFlaggedShare = task.maxFlaggedShare();
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
        if (isDifferentiallyPrivate()) {
            fields.put("privacy", "{\"clipNorm\":" + getDpClipNorm() + (getDpDataset() == null ? "" : ",\"dataset\":"
                    + quoted.apply(getDpDataset())) + ",\"delta\":" + getDpDelta() + ",\"noiseMultiplier\":" + getDpNoiseMultiplier() + "}");
        }
        if (isSecureAggregation()) {
            fields.put("secureAggregation", "{\"fractionBits\":" + getSecaggFractionBits() + ",\"threshold\":" + getSecaggThreshold() + "}");
        }
        if (seed != null) {
            fields.put("seed", Long.toString(seed));
        }
        if (manifest != null) {
            fields.put("modelManifest", quoted.apply(manifest));
        }
        if (taskName != null) {
            fields.put("task", "{\"name\":" + quoted.apply(taskName) + ",\"version\":" + taskVersion + "}");
            StringBuilder datasets = new StringBuilder("{");
            new java.util.TreeMap<>(trainingDatasets).forEach((site, d) -> datasets.append(datasets.length() > 1 ? "," : "")
                    .append(quoted.apply(site)).append(":{\"name\":").append(quoted.apply(d.getName())).append(",\"sha256\":")
                    .append(quoted.apply(d.getContentSha256())).append('}'));
            fields.put("datasets", datasets.append('}').toString());
            if (qualityMaxFlaggedShare != null) {
                fields.put("quality", "{\"maxFlaggedShare\":" + qualityMaxFlaggedShare + "}");
            }
        }
        java.math.BigDecimal rewardPerRound = getRewardPerRound();
        Double minContribution = getMinContribution();
        Double participationShare = getParticipationShare();
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

    public Long getSeed() {
        return seed;
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

    public boolean isSecureAggregation() {
        return secureAggregation != null && secureAggregation.isSet();
    }

    public Integer getSecaggThreshold() {
        return isSecureAggregation() ? secureAggregation.getThreshold() : null;
    }

    public Integer getSecaggFractionBits() {
        return isSecureAggregation() ? secureAggregation.getFractionBits() : null;
    }

    public String getCanonicalForm() {
        return canonicalForm;
    }

    /** The task the plan trains for, or null for a plan of a built-in model. */
    public String getTaskName() {
        return taskName;
    }

    public Integer getTaskVersion() {
        return taskVersion;
    }

    /** The quality gate of a task plan: the largest share of a dataset's items its report may flag, or null. */
    public Double getQualityMaxFlaggedShare() {
        return qualityMaxFlaggedShare;
    }

    /** The dataset version each site trains on, by site code; empty for a plan without a task. */
    public Map<String, DatasetPin> getTrainingDatasets() {
        Map<String, DatasetPin> out = new java.util.TreeMap<>();
        trainingDatasets.forEach((site, d) -> out.put(site, new DatasetPin(d.getName(), d.getContentSha256())));
        return out;
    }

    public String getModelManifestSha256() {
        return modelManifestSha256;
    }

    public java.math.BigDecimal getRewardPerRound() {
        return incentives == null ? null : incentives.getRewardPerRound();
    }

    public Double getParticipationShare() {
        return incentives == null ? null : incentives.getParticipationShare();
    }

    public Double getMinContribution() {
        return incentives == null ? null : incentives.getMinContribution();
    }

    public boolean isDifferentiallyPrivate() {
        return privacy != null && privacy.isSet();
    }

    public Double getDpClipNorm() {
        return isDifferentiallyPrivate() ? privacy.getClipNorm() : null;
    }

    public Double getDpNoiseMultiplier() {
        return isDifferentiallyPrivate() ? privacy.getNoiseMultiplier() : null;
    }

    public String getDpDataset() {
        return isDifferentiallyPrivate() ? privacy.getDataset() : null;
    }

    public Double getDpDelta() {
        return isDifferentiallyPrivate() ? privacy.getDelta() : null;
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
