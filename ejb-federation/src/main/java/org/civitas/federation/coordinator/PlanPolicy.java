package org.civitas.federation.coordinator;

import org.civitas.domain.consortium.Site;
import org.civitas.domain.federation.FederationPlan;
import org.civitas.domain.federation.IncentiveTerms;
import org.civitas.domain.federation.PrivacyTerms;
import org.civitas.domain.federation.SecureAggregationTerms;
import org.civitas.federation.common.BuiltInTask;
import org.civitas.federation.common.ModelCatalog;
import org.civitas.federation.core.aggregation.ModalityAwareAvg;
import org.civitas.federation.core.aggregation.Strategy;
import org.civitas.federation.core.aggregation.StrategyCatalog;
import org.civitas.federation.core.model.manifest.ModelManifest;

import java.math.BigDecimal;
import java.time.Duration;
import java.util.List;

/**
 * The rules that turn a plan request into a plan: the defaults a request leaves out, and what a
 * rule, a model, differential privacy, secure aggregation and incentives ask of each other. A
 * plan is built once, whole, from what these rules decide ({@link FederationPlan.Spec}).
 */
final class PlanPolicy {

    private PlanPolicy() {
    }

    /**
     * The plan the request describes for these (registered) sites, not stored.
     *
     * @throws IllegalArgumentException naming the first rule the request breaks
     */
    static FederationPlan plan(PlanRequest r, List<Site> sites) {
        return plan(r, sites, null);
    }

    /**
     * A registered task a plan trains for, resolved by the caller: the task version, the model
     * manifest bound to its labels, each site's dataset version (checked against the registry), and
     * the modalities each of those versions carries ({@code text}, {@code image}).
     */
    record TaskModel(String task, int version, ModelManifest manifest, java.util.Map<String, FederationPlan.DatasetPin> datasets,
                     Double maxFlaggedShare, java.util.Map<String, java.util.Set<String>> siteModalities) {

        /**
         * The sites whose data lack a modality the model reads and another site's data carry: their
         * update cannot train that tower. Empty when every site carries the same modalities.
         */
        java.util.Map<String, java.util.Set<String>> sitesMissingModalities() {
            java.util.Set<String> somewhere = new java.util.TreeSet<>();
            siteModalities.values().forEach(somewhere::addAll);
            somewhere.retainAll(manifest.modalities());
            java.util.Map<String, java.util.Set<String>> missing = new java.util.TreeMap<>();
            siteModalities.forEach((site, carried) -> {
                java.util.Set<String> lacks = new java.util.TreeSet<>(somewhere);
                lacks.removeAll(carried);
                if (!lacks.isEmpty()) {
                    missing.put(site, lacks);
                }
            });
            return missing;
        }
    }

    /**
     * The plan the request describes for these (registered) sites and, when it names one, the
     * resolved task; not stored.
     *
     * @throws IllegalArgumentException naming the first rule the request breaks
     */
    static FederationPlan plan(PlanRequest r, List<Site> sites, TaskModel taskModel) {
        java.util.Map<String, java.util.Set<String>> missing = taskModel == null ? java.util.Map.of() : taskModel.sitesMissingModalities();
        // Sites whose data differ in modalities federate through the rule that averages each tower over the sites
        // that trained it; FedAvg would count a site's untouched tower as a vote for leaving it where it was.
        String strategyName = r.strategy() != null ? r.strategy() : missing.isEmpty() ? "fedavg" : ModalityAwareAvg.NAME;
        if (!missing.isEmpty() && !ModalityAwareAvg.NAME.equals(strategyName)) {
            List<String> lacks = new java.util.ArrayList<>();
            missing.forEach((site, m) -> lacks.add("site " + site + " has no " + String.join(" or ", m)));
            throw new IllegalArgumentException("strategy: the pinned datasets differ in modalities (" + String.join(", ", lacks)
                    + "); such sites federate with '" + ModalityAwareAvg.NAME + "', which averages each tower over the sites"
                    + " that trained it, not with '" + strategyName + "'");
        }
        // With secure aggregation a round may close with the threshold's strict majority: that is its dropout tolerance.
        int minSites = r.minSites() != null ? r.minSites()
                : r.secureAggregation() != null ? secureThreshold(r.secureAggregation(), sites.size()) : sites.size();
        String modelKind = r.model() == null ? (taskModel == null ? "softmax-regression" : ModelCatalog.MULTIMODAL) : r.model();
        if (taskModel != null && !ModelCatalog.isMultimodal(modelKind)) {
            throw new IllegalArgumentException("model: a plan with a task trains " + ModelCatalog.MULTIMODAL + " on the task's data; '"
                    + modelKind + "' reads only the built-in feature table");
        }
        if (taskModel == null && ModelCatalog.isMultimodal(modelKind)) {
            throw new IllegalArgumentException("task: " + ModelCatalog.MULTIMODAL + " trains a registered task's model on each site's"
                    + " dataset of that task; name the task, its modelManifest and each site's datasets (GET /api/tasks,"
                    + " /api/model-manifests, /api/datasets)");
        }
        Strategy strategy = StrategyCatalog.create(strategyName, r.strategyParams(), r.filters());
        if (r.privacy() != null && !strategy.isMeanBased()) {
            throw new IllegalArgumentException("differential privacy needs a mean-based rule; " + strategyName
                    + " needs individual updates");
        }
        Integer quorum = r.quorum() != null ? r.quorum()
                : strategy.roundQuorum().isPresent() ? Integer.valueOf(strategy.roundQuorum().getAsInt()) : null;
        int fewest = Math.min(minSites, quorum == null ? sites.size() : quorum);
        if (fewest < strategy.minimumUpdates()) {
            throw new IllegalArgumentException("strategy " + strategyName + " needs at least " + strategy.minimumUpdates()
                    + " updates per round, but this plan may close a round with " + fewest
                    + " (raise minSites or quorum, or add sites)");
        }
        boolean multimodal = ModelCatalog.isMultimodal(modelKind);
        ModelManifest manifest = taskModel != null ? taskModel.manifest() : null;
        FederationPlan.Spec spec = FederationPlan.Spec.of(
                r.name() != null ? r.name() : taskModel != null ? "Task " + taskModel.task() : "Feature model " + modelKind,
                modelKind, multimodal ? (manifest.text() != null ? manifest.text().dim() : manifest.image().outputDim()) : ModelCatalog.FEATURE_COUNT,
                multimodal ? manifest.labels().size() : ModelCatalog.FEATURE_CLASSES,
                strategyName, r.strategyParams(), r.filters(), quorum,
                r.rounds() == null ? 5 : r.rounds(),
                // The multimodal model trains with Adam: more, smaller steps than the softmax models' SGD.
                r.localEpochs() == null ? (multimodal ? 5 : 2) : r.localEpochs(),
                r.learningRate() == null ? (multimodal ? 0.01 : 0.1) : r.learningRate(),
                r.batchSize() == null ? 32 : r.batchSize(),
                minSites,
                Duration.ofSeconds(r.roundTimeoutSeconds() == null ? 300 : r.roundTimeoutSeconds()),
                sites);
        // The base settings are checked first, so that a request wrong in them hears of those.
        spec.requireValidBase();
        boolean secure = r.secureAggregation() != null;
        if (secure) {
            // Everything that needs a site's own update is refused here, at plan validation, not at round time.
            if (!strategy.isMeanBased()) {
                throw new IllegalArgumentException("secure aggregation reveals only the sum of the updates; rule " + strategyName
                        + " needs individual updates");
            }
            if (strategy.acceptsStaleUpdates()) {
                throw new IllegalArgumentException("secure aggregation masks every update of one round together; rule " + strategyName
                        + " mixes updates of different rounds");
            }
            if (r.filters() != null && !r.filters().isEmpty()) {
                throw new IllegalArgumentException("secure aggregation reveals only the sum of the updates; filters " + r.filters().keySet()
                        + " need individual updates");
            }
            if (r.incentives() != null) {
                throw new IllegalArgumentException("secure aggregation reveals only the sum of the updates; incentives need each"
                        + " site's contribution, valued from its own update");
            }
            if (r.quorum() != null) {
                throw new IllegalArgumentException("secure aggregation closes each phase when every site answered or at its deadline;"
                        + " a quorum cannot apply");
            }
        }
        boolean valuable = ModelCatalog.isValuable(modelKind, strategy, secure);
        if (r.incentives() != null) {
            if (!valuable) {
                throw new IllegalArgumentException("incentives need per-site contribution values, which rule " + strategyName
                        + " with model " + modelKind + " does not allow (updates not combined by a weighted mean, or a model"
                        + " the coordinator cannot evaluate in the server)");
            }
            spec = spec.withIncentives(new IncentiveTerms(r.incentives().rewardPerRound(), r.incentives().minContribution(),
                    r.incentives().participationShare() == null ? PlanRequest.DEFAULT_PARTICIPATION_SHARE
                            : r.incentives().participationShare()));
        } else if (valuable) {
            spec = spec.withIncentives(new IncentiveTerms(BigDecimal.valueOf(PlanRequest.DEFAULT_REWARD_PER_ROUND), null,
                    PlanRequest.DEFAULT_PARTICIPATION_SHARE));
        }
        if (manifest != null) {
            spec = spec.withModelManifest(manifest.sha256(), manifest.legacySha256());
        }
        if (taskModel != null) {
            spec = spec.withTask(new FederationPlan.TaskBinding(taskModel.task(), taskModel.version(), taskModel.datasets(),
                    taskModel.maxFlaggedShare()));
            if (r.privacy() != null && r.privacy().dataset() == null) {
                throw new IllegalArgumentException("privacy.dataset: a plan with a task names the dataset whose privacy budget it spends");
            }
        }
        if (r.privacy() != null) {
            PlanRequest.Privacy p = r.privacy();
            if (p.clipNorm() == null || p.noiseMultiplier() == null) {
                throw new IllegalArgumentException("invalid federation plan: privacy needs clipNorm and noiseMultiplier");
            }
            spec = spec.withPrivacy(new PrivacyTerms(p.clipNorm(), p.noiseMultiplier(), p.delta() == null ? 1e-5 : p.delta(),
                    p.dataset() == null ? defaultDataset(modelKind) : p.dataset()));
        }
        if (secure) {
            PlanRequest.SecureAggregation sa = r.secureAggregation();
            spec = spec.withSecureAggregation(new SecureAggregationTerms(secureThreshold(sa, sites.size()),
                    sa.fractionBits() == null ? PlanRequest.DEFAULT_FRACTION_BITS : sa.fractionBits()));
        }
        return new FederationPlan(spec.withSeed(r.seed()));
    }

    /** Without a threshold, the smallest strict majority of the sites. */
    static int secureThreshold(PlanRequest.SecureAggregation sa, int sites) {
        return sa.threshold() == null ? sites / 2 + 1 : sa.threshold();
    }

    /**
     * The dataset a feature model trains on at each site, whose privacy budget a DP plan spends unless
     * it names another; a plan with a task names its own, and has no default.
     */
    static String defaultDataset(String modelKind) {
        return ModelCatalog.isMultimodal(modelKind) ? null : BuiltInTask.FEATURES_DATASET;
    }
}
