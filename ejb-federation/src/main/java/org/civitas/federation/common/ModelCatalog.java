package org.civitas.federation.common;

import org.civitas.domain.federation.FederationPlan;
import org.civitas.federation.core.aggregation.Strategy;
import org.civitas.federation.core.aggregation.StrategyCatalog;
import org.civitas.federation.core.model.LocalTrainer;
import org.civitas.federation.core.model.LowRankSoftmax;
import org.civitas.federation.core.privacy.DifferentialPrivacy;
import org.civitas.federation.core.privacy.RdpAccountant;
import org.civitas.federation.core.model.SoftmaxRegression;

/** Turns a plan's names for model and strategy into the pure-core objects that do the work. */
public final class ModelCatalog {

    /** Global rank of the {@code softmax-lora} model. */
    public static final int LORA_RANK = 4;

    /** The multimodal model: a registered task's model manifest, trained and evaluated in the model worker. */
    public static final String MULTIMODAL = "multimodal-lora";

    /** The width and the classes of the feature table the built-in feature models read. */
    public static final int FEATURE_COUNT = 16;
    public static final int FEATURE_CLASSES = 5;

    public static boolean isMultimodal(String modelKind) {
        return MULTIMODAL.equals(modelKind);
    }

    /** Model version 0 of a plan of a feature model (a multimodal plan's comes from its manifest). */
    public static org.civitas.federation.core.tensor.NamedTensors initialState(FederationPlan plan) {
        return trainer(plan).initialState();
    }

    /**
     * Whether per-site contributions can be valued at the coordinator: the rule combines updates by
     * a weighted mean, and the model's loss can be computed in the server (not yet for models that
     * run in the worker).
     */
    public static boolean isValuable(String modelKind, Strategy strategy, boolean secureAggregation) {
        return strategy.isMeanBased() && !isMultimodal(modelKind) && !secureAggregation;
    }

    private ModelCatalog() {
    }

    public static LocalTrainer trainer(String modelKind, int featureCount, int classCount) {
        if ("softmax-regression".equals(modelKind)) {
            return new SoftmaxRegression(featureCount, classCount);
        }
        if ("softmax-lora".equals(modelKind)) {
            return new LowRankSoftmax(featureCount, classCount, LORA_RANK);
        }
        if (isMultimodal(modelKind)) {
            throw new IllegalArgumentException("model '" + modelKind + "' is trained in the model worker, not in the server");
        }
        throw new IllegalArgumentException("model '" + modelKind + "' is not known");
    }

    public static LocalTrainer trainer(FederationPlan plan) {
        return trainer(plan.getModelKind(), plan.getFeatureCount(), plan.getClassCount());
    }

    public static Strategy strategy(FederationPlan plan) {
        Strategy rule = StrategyCatalog.create(plan.getStrategy(), plan.getStrategyParams(), plan.getFilters());
        if (plan.isDifferentiallyPrivate()) {
            // Without secure aggregation the coordinator sees clipped updates and adds the noise itself; with it,
            // each site adds its share of the noise, so no party ever sees an un-noised sum.
            return new DifferentialPrivacy(rule, plan.getDpClipNorm(), plan.getDpNoiseMultiplier(), plan.getSites().size(),
                    plan.isSecureAggregation());
        }
        return rule;
    }

    /** Mean cross-entropy of a state of the plan's model on a dataset. */
    public static double meanLoss(FederationPlan plan, org.civitas.federation.core.tensor.NamedTensors state,
                                  org.civitas.federation.core.model.LabeledFeatures data) {
        LocalTrainer trainer = trainer(plan);
        if (trainer instanceof SoftmaxRegression s) {
            return s.meanLoss(state, data);
        }
        if (trainer instanceof LowRankSoftmax l) {
            return l.meanLoss(state, data);
        }
        throw new IllegalArgumentException("model '" + plan.getModelKind() + "' has no loss to value contributions with");
    }

    /** The privacy spent so far by a plan with differential privacy: every site takes part in every round (q = 1). */
    public static double epsilonSpent(FederationPlan plan, int aggregatedRounds) {
        return new RdpAccountant().compose(1.0, guaranteedNoiseMultiplier(plan), aggregatedRounds).epsilon(plan.getDpDelta());
    }

    /**
     * The noise multiplier a round of a DP plan is sure to carry. Noise added by the coordinator is
     * sigma; noise split across n sites is sigma·sqrt(m/n) when only m of them contribute, and a
     * round can close with as few as the plan's minimum of sites (at least its threshold).
     */
    public static double guaranteedNoiseMultiplier(FederationPlan plan) {
        if (!plan.isSecureAggregation()) {
            return plan.getDpNoiseMultiplier();
        }
        int fewest = Math.max(plan.getSecaggThreshold(), plan.getMinSites());
        return plan.getDpNoiseMultiplier() * Math.sqrt((double) fewest / plan.getSites().size());
    }
}
