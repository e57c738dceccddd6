package org.civitas.federation.coordinator;

import org.civitas.federation.common.ModelCatalog;
import org.civitas.federation.common.NotFoundException;

import jakarta.ejb.Local;
import jakarta.ejb.LocalBean;
import jakarta.ejb.Stateless;
import jakarta.inject.Inject;
import org.civitas.batch.valuation.RoundValuationSteps;
import org.civitas.domain.contribution.ContributionValue;
import org.civitas.domain.federation.FederationPlan;
import org.civitas.domain.federation.Round;
import org.civitas.domain.federation.RoundStatus;
import org.civitas.domain.federation.UpdateReceipt;
import org.civitas.domain.registry.ModelVersion;
import org.civitas.federation.core.model.LabeledFeatures;
import org.civitas.federation.core.tensor.NamedTensors;
import org.civitas.federation.core.tensor.SafeTensors;
import org.civitas.federation.core.valuation.CoalitionUtility;
import org.civitas.federation.core.valuation.ExactShapley;
import org.civitas.federation.core.valuation.FreeRiderCheck;
import org.civitas.federation.core.valuation.GtgShapley;
import org.civitas.federation.core.valuation.SubModelUtility;
import org.civitas.federation.infrastructure.CoordinatorStores;
import org.civitas.infrastructure.persistence.ContributionRepository;
import org.civitas.infrastructure.persistence.FederationRepository;
import org.civitas.infrastructure.persistence.ModelRegistryRepository;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.time.Clock;

/**
 * Values each site's contribution to an aggregated round: Shapley values of the validation
 * utility (negative loss on the coordinator's validation split) of sub-models rebuilt from the
 * round's included updates. Exact for up to {@value #EXACT_UP_TO} sites, GTG-Shapley beyond. Rules
 * whose updates do not combine by a plain weighted mean (LoRA stacking, modality-aware, robust
 * rules) are not valued.
 */
@Stateless
@LocalBean
@Local(RoundValuationSteps.class)
public class RoundValuationService implements RoundValuationSteps {

    @Inject
    Clock clock;

    static final int EXACT_UP_TO = 6;

    @Inject
    FederationRepository federations;

    @Inject
    ModelRegistryRepository registry;

    @Inject
    ContributionRepository contributions;

    @Inject
    CoordinatorStores stores;

    @Inject
    ValidationData validation;

    @jakarta.ejb.EJB
    LedgerService ledger;

    @jakarta.ejb.EJB
    IncentiveService incentives;

    @jakarta.ejb.EJB
    ModelEvaluationService evaluations;

    @Override
    public String valueRound(long federationId, int roundNumber) {
        Round round = federations.round(federationId, roundNumber).orElseThrow(() ->
                new NotFoundException("federation " + federationId + " has no round " + roundNumber));
        if (round.getStatus() != RoundStatus.AGGREGATED) {
            return "round " + roundNumber + " is " + round.getStatus() + ": nothing to value";
        }
        if (contributions.valued(round.getId())) {
            return "round " + roundNumber + " was valued already";
        }
        FederationPlan plan = round.getFederation().getPlan();
        if (!isValuable(plan)) {
            return "rule " + plan.getStrategy() + " with model " + plan.getModelKind() + " cannot be valued per site";
        }
        List<UpdateReceipt> included = round.getReceipts().stream().filter(u -> u.getExcludedReason() == null).toList();
        ModelVersion start = registry.version(federationId, roundNumber - 1).orElseThrow();
        NamedTensors global = SafeTensors.read(stores.models().get(start.getSha256())).tensors();
        Map<String, SubModelUtility.SiteUpdate> updates = new LinkedHashMap<>();
        for (UpdateReceipt u : included) {
            updates.put(u.getSite().getCode(), new SubModelUtility.SiteUpdate(
                    SafeTensors.read(stores.updates().map(u.getStorageKey())).tensors(), u.getSampleCount()));
        }
        LabeledFeatures data = validation.features(plan.getFeatureCount(), plan.getClassCount());
        // A broken sub-model is worth what a model that knows nothing is: the uniform guess's loss, log C,
        // or the starting state's, whichever is worse.
        double startLoss = ModelCatalog.meanLoss(plan, global, data);
        double brokenScore = -Math.max(Math.log(plan.getClassCount()), Double.isFinite(startLoss) ? startLoss : 0);
        CoalitionUtility utility = new SubModelUtility(global, updates,
                state -> -ModelCatalog.meanLoss(plan, state, data), brokenScore).memoized();
        List<String> sites = List.copyOf(updates.keySet());
        String method;
        Map<String, Double> values;
        if (sites.size() <= EXACT_UP_TO) {
            method = "exact-shapley";
            values = ExactShapley.values(sites, utility);
        } else {
            method = "gtg-shapley";
            values = new GtgShapley(1e-4, 1e-6, 50 * sites.size(), 0.01, round.getId()).values(sites, utility).values();
        }
        Map<String, String> freeRiders = FreeRiderCheck.evidence(updates, values);
        Instant now = clock.instant();
        for (UpdateReceipt u : included) {
            String code = u.getSite().getCode();
            contributions.add(new ContributionValue(round, u.getSite(), method, values.get(code), freeRiders.get(code), now));
        }
        return String.format(Locale.ROOT, "round %d valued with %s over %d sites", roundNumber, method, sites.size());
    }

    @Override
    @jakarta.ejb.TransactionAttribute(jakarta.ejb.TransactionAttributeType.NOT_SUPPORTED)
    public String creditRound(long federationId, int roundNumber) {
        String reward = ledger.rewardRound(federationId, roundNumber);
        return reward + "; " + incentives.admitNextRound(federationId, roundNumber);
    }

    @Override
    @jakarta.ejb.TransactionAttribute(jakarta.ejb.TransactionAttributeType.NOT_SUPPORTED)
    public String evaluateRound(long federationId, int roundNumber) {
        return evaluations.evaluate(federationId, roundNumber);
    }

    static boolean isValuable(FederationPlan plan) {
        return ModelCatalog.isValuable(plan.getModelKind(), ModelCatalog.strategy(plan), plan.isSecureAggregation());
    }
}
