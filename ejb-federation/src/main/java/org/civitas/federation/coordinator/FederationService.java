package org.civitas.federation.coordinator;

import org.civitas.domain.security.Role;

import org.civitas.federation.common.Caller;

import org.civitas.federation.common.AuditService;
import org.civitas.federation.common.InvalidRequestException;
import org.civitas.federation.common.ModelCatalog;
import org.civitas.federation.common.NotFoundException;

import jakarta.ejb.Stateless;
import jakarta.inject.Inject;
import org.civitas.domain.consortium.Site;
import org.civitas.domain.federation.Federation;
import org.civitas.domain.federation.FederationPlan;
import org.civitas.domain.registry.ModelVersion;
import org.civitas.federation.core.aggregation.Strategy;
import org.civitas.federation.core.aggregation.StrategyCatalog;
import org.civitas.federation.core.tensor.SafeTensors;
import org.civitas.federation.infrastructure.BlobStore;
import org.civitas.federation.infrastructure.CoordinatorStores;
import org.civitas.federation.common.ReferenceConsortium;
import org.civitas.infrastructure.persistence.ConsortiumRepository;
import org.civitas.infrastructure.persistence.FederationRepository;
import org.civitas.infrastructure.persistence.ModelRegistryRepository;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.time.Clock;

/** Starts federations from plans and shows them. */
@Stateless
public class FederationService {

    @Inject
    Clock clock;

    @Inject
    ConsortiumRepository consortium;

    @Inject
    FederationRepository federations;

    @Inject
    ModelRegistryRepository registry;

    @Inject
    CoordinatorStores stores;

    @Inject
    org.civitas.infrastructure.persistence.ContributionRepository contributions;

    @jakarta.ejb.EJB
    AuditService audit;

    @jakarta.ejb.EJB
    PrivacyBudgetService privacyBudgets;

    @jakarta.ejb.EJB
    AgreementService agreements;

    @jakarta.ejb.EJB
    SiteScheduleService schedules;

    /**
     * Validates the plan, stores it, and starts a federation whose first round opens at once, with
     * the model's initial state as version 0. All or nothing. Every site's enterprise must hold an
     * active data-sharing agreement for exactly this plan's hash (checked after the plan itself is
     * valid). Only a consortium administrator, or the platform itself ({@link Caller#SYSTEM}), starts one.
     */
    public Views.FederationView start(PlanRequest request, Caller caller) {
        caller.require("start federations", Role.CONSORTIUM_ADMIN);
        String actor = caller.actor();
        FederationPlan plan = plan(request);
        agreements.requireAgreements(plan, clock.instant());
        return start(plan, actor);
    }

    /** The plan a request describes, validated and with its canonical form and hash, not stored. */
    public FederationPlan plan(PlanRequest request) {
        PlanRequest r = request == null ? PlanRequest.demo() : request;
        List<String> codes = r.sites() == null || r.sites().isEmpty() ? ReferenceConsortium.CODES : r.sites();
        List<Site> sites = new ArrayList<>();
        List<String> unknown = new ArrayList<>();
        for (String code : codes) {
            consortium.site(code).ifPresentOrElse(sites::add, () -> unknown.add(code));
        }
        if (!unknown.isEmpty()) {
            throw new InvalidRequestException("invalid federation plan: unknown sites " + unknown);
        }
        String strategyName = r.strategy() == null ? "fedavg" : r.strategy();
        // With secure aggregation a round may close with the threshold's strict majority: that is its dropout tolerance.
        int minSites = r.minSites() != null ? r.minSites()
                : r.secureAggregation() != null ? secureThreshold(r.secureAggregation(), sites.size()) : sites.size();
        FederationPlan plan;
        String modelKind = r.model() == null ? "softmax-regression" : r.model();
        try {
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
            if (multimodal && ("ffa-lora".equals(strategyName) || "lora-stacking".equals(strategyName))) {
                throw new IllegalArgumentException("rule " + strategyName + " trains the adapters in its own way, which the model worker"
                        + " does not offer yet; use a mean-based or robust rule with " + modelKind);
            }
            org.civitas.federation.core.model.manifest.ModelManifest manifest = multimodal ? ModelCatalog.manifest(modelKind) : null;
            plan = new FederationPlan(
                    r.name() == null ? "City safety demo" : r.name(),
                    modelKind, multimodal ? manifest.text().dim() : ReferenceConsortium.FEATURES,
                    multimodal ? manifest.labels().size() : ReferenceConsortium.CLASSES,
                    strategyName, r.strategyParams(), r.filters(), quorum,
                    r.rounds() == null ? 5 : r.rounds(),
                    // The multimodal model trains with Adam: more, smaller steps than the softmax models' SGD.
                    r.localEpochs() == null ? (multimodal ? 5 : 2) : r.localEpochs(),
                    r.learningRate() == null ? (multimodal ? 0.01 : 0.1) : r.learningRate(),
                    r.batchSize() == null ? 32 : r.batchSize(),
                    minSites,
                    Duration.ofSeconds(r.roundTimeoutSeconds() == null ? 300 : r.roundTimeoutSeconds()),
                    sites);
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
                plan.withIncentives(r.incentives().rewardPerRound(), r.incentives().minContribution(),
                        r.incentives().participationShare() == null ? PlanRequest.DEFAULT_PARTICIPATION_SHARE
                                : r.incentives().participationShare());
            } else if (valuable) {
                plan.withIncentives(java.math.BigDecimal.valueOf(PlanRequest.DEFAULT_REWARD_PER_ROUND), null,
                        PlanRequest.DEFAULT_PARTICIPATION_SHARE);
            }
            if (manifest != null) {
                plan.withModelManifest(manifest.sha256(), manifest.legacySha256());
            }
            if (r.privacy() != null) {
                PlanRequest.Privacy p = r.privacy();
                if (p.clipNorm() == null || p.noiseMultiplier() == null) {
                    throw new IllegalArgumentException("invalid federation plan: privacy needs clipNorm and noiseMultiplier");
                }
                plan.withDifferentialPrivacy(p.clipNorm(), p.noiseMultiplier(), p.delta() == null ? 1e-5 : p.delta(),
                        p.dataset() == null ? defaultDataset(modelKind) : p.dataset());
            }
            if (secure) {
                PlanRequest.SecureAggregation sa = r.secureAggregation();
                plan.withSecureAggregation(secureThreshold(sa, sites.size()),
                        sa.fractionBits() == null ? PlanRequest.DEFAULT_FRACTION_BITS : sa.fractionBits());
            }
        } catch (IllegalArgumentException e) {
            throw new InvalidRequestException(e.getMessage());
        }
        return plan;
    }

    /** What a plan would be: its hash and canonical form, the enterprises that must agree to it, the dataset it uses. */
    public record PlanPreview(String planSha256, String canonicalJson, List<String> enterprises, String dataset) {
    }

    public PlanPreview preview(PlanRequest request) {
        FederationPlan plan = plan(request);
        return new PlanPreview(plan.getPlanSha256(), plan.getCanonicalJson(),
                plan.getSites().stream().map(s -> s.getEnterprise().getCode()).distinct().sorted().toList(), dataset(plan));
    }

    /** The dataset a plan's sites train on: the one its DP settings name, else the model's default. */
    public static String dataset(FederationPlan plan) {
        return plan.isDifferentiallyPrivate() ? plan.getDpDataset() : defaultDataset(plan.getModelKind());
    }

    private Views.FederationView start(FederationPlan plan, String actor) {
        Instant now = clock.instant();
        federations.add(plan);
        Federation federation = federations.add(new Federation(plan, now));
        federation.openRound().ifPresent(first -> schedules.fitDeadline(first, now));
        byte[] initial = SafeTensors.write(ModelCatalog.initialState(plan),
                Map.of("federation", String.valueOf(federation.getId()), "version", "0"));
        BlobStore.Stored stored = stores.models().put(initial);
        registry.add(ModelVersion.initial(federation, stored.key(), stored.sizeBytes(), now));
        agreements.grantBudgets(plan, now);
        String refused = privacyBudgets.chargeOrRefuse(plan, federation.getId(), 1);
        if (refused != null) {
            throw new InvalidRequestException("privacy budget: " + refused);
        }
        audit.record(actor, "federation.started", "federation " + federation.getId(),
                "plan '" + plan.getName() + "' sha256 " + plan.getPlanSha256() + ": " + plan.getCanonicalJson());
        return Views.of(federation, registry.versions(federation.getId()));
    }

    private static int secureThreshold(PlanRequest.SecureAggregation sa, int sites) {
        return sa.threshold() == null ? sites / 2 + 1 : sa.threshold();
    }

    /** The dataset a plan's sites train on, whose registered size bounds the sample count an update may claim. */
    public static String trainingDataset(FederationPlan plan) {
        return defaultDataset(plan.getModelKind());
    }

    /** The dataset a model trains on at each site, whose privacy budget a DP plan spends unless it names another. */
    static String defaultDataset(String modelKind) {
        return ModelCatalog.isMultimodal(modelKind) ? org.civitas.federation.common.BuiltInTask.DATASET
                : org.civitas.federation.common.BuiltInTask.FEATURES_DATASET;
    }

    public Views.FederationView federation(long id) {
        Federation f = federations.federation(id).orElseThrow(() -> new NotFoundException("federation " + id + " does not exist"));
        return Views.of(f, registry.versions(id), contributions.ofFederation(id));
    }

    public List<Views.FederationView> federations() {
        return federations.federations().stream()
                .map(f -> Views.of(f, registry.versions(f.getId()), contributions.ofFederation(f.getId()))).toList();
    }

    public byte[] modelState(long federationId, int version) {
        ModelVersion m = registry.version(federationId, version).orElseThrow(() ->
                new NotFoundException("federation " + federationId + " has no model version " + version));
        return stores.models().get(m.getSha256());
    }
}
