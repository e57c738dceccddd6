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
import org.civitas.federation.core.tensor.SafeTensors;
import org.civitas.federation.infrastructure.BlobStore;
import org.civitas.federation.infrastructure.CoordinatorStores;
import org.civitas.federation.common.ReferenceConsortium;
import org.civitas.infrastructure.persistence.ConsortiumRepository;
import org.civitas.infrastructure.persistence.FederationRepository;
import org.civitas.infrastructure.persistence.ModelRegistryRepository;

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
        try {
            return PlanPolicy.plan(r, sites);
        } catch (IllegalArgumentException e) {
            throw new InvalidRequestException(e.getMessage());
        }
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

    /** The dataset a plan's sites train on, whose registered size bounds the sample count an update may claim. */
    public static String trainingDataset(FederationPlan plan) {
        return defaultDataset(plan.getModelKind());
    }

    /** The dataset a model trains on at each site, whose privacy budget a DP plan spends unless it names another. */
    static String defaultDataset(String modelKind) {
        return PlanPolicy.defaultDataset(modelKind);
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
