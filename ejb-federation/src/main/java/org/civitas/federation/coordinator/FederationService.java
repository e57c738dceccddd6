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

    @jakarta.ejb.EJB
    ModelManifestService modelManifests;

    @Inject
    org.civitas.infrastructure.persistence.TaskRepository tasks;

    @Inject
    org.civitas.federation.infrastructure.CivitasSettings settings;

    @Inject
    org.civitas.infrastructure.persistence.DatasetRepository datasets;

    @Inject
    org.civitas.infrastructure.persistence.QualityRepository qualityReports;

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
        PlanRequest r = request == null ? PlanRequest.defaults() : request;
        List<String> codes = r.sites() == null || r.sites().isEmpty() ? settings.defaultPlanSites() : r.sites();
        if (codes.isEmpty()) {
            throw new InvalidRequestException("sites: name the sites the plan trains at (this server has no default sites;"
                    + " civitas.plan.default-sites sets them)");
        }
        List<Site> sites = new ArrayList<>();
        List<String> unknown = new ArrayList<>();
        for (String code : codes) {
            consortium.site(code).ifPresentOrElse(sites::add, () -> unknown.add(code));
        }
        if (!unknown.isEmpty()) {
            throw new InvalidRequestException("invalid federation plan: unknown sites " + unknown);
        }
        try {
            return PlanPolicy.plan(r, sites, taskModel(r, sites));
        } catch (IllegalArgumentException e) {
            throw new InvalidRequestException(e.getMessage());
        }
    }

    /**
     * The task a request names, resolved against the registers: its version, the model manifest bound
     * to its labels, and each site's dataset version, which the site must have registered for that
     * very task version. Null for a request without a task.
     */
    private PlanPolicy.TaskModel taskModel(PlanRequest r, List<Site> sites) {
        if (r.task() == null) {
            if (r.modelManifest() != null || r.datasets() != null || r.taskVersion() != null || r.quality() != null) {
                throw new InvalidRequestException("task: modelManifest, datasets, taskVersion and quality belong to a plan with a task;"
                        + " name the task");
            }
            return null;
        }
        org.civitas.domain.task.TaskDefinition task = (r.taskVersion() == null ? tasks.latest(r.task()) : tasks.version(r.task(), r.taskVersion()))
                .orElseThrow(() -> new InvalidRequestException("task: '" + r.task() + "'" + (r.taskVersion() == null ? "" : " version "
                        + r.taskVersion()) + " is not registered"));
        if (r.modelManifest() == null) {
            throw new InvalidRequestException("modelManifest: a plan with a task names the sha256 of a registered model manifest"
                    + " (GET /api/model-manifests)");
        }
        org.civitas.federation.core.model.manifest.ModelManifest manifest = modelManifests.bind(r.modelManifest(), task);
        Map<String, FederationPlan.DatasetPin> pins = new java.util.TreeMap<>();
        Map<String, java.util.Set<String>> modalities = new java.util.TreeMap<>();
        List<String> problems = new ArrayList<>();
        Double maxFlagged = r.quality() == null ? null : r.quality().maxFlaggedShare();
        if (r.quality() != null && (maxFlagged == null || !(maxFlagged >= 0 && maxFlagged <= 1))) {
            throw new InvalidRequestException("quality.maxFlaggedShare: a share in [0, 1] of a dataset's items, was " + maxFlagged);
        }
        for (Site site : sites) {
            PlanRequest.DatasetRef ref = r.datasets() == null ? null : r.datasets().get(site.getCode());
            if (ref == null || ref.name() == null || ref.sha256() == null) {
                problems.add("datasets." + site.getCode() + ": name the dataset (name and sha256) the site trains on");
                continue;
            }
            var registered = datasets.find(site.getCode(), ref.name(), ref.sha256());
            if (registered.isEmpty()) {
                problems.add("datasets." + site.getCode() + ": site '" + site.getCode() + "' holds no dataset '" + ref.name()
                        + "' with content sha256 " + ref.sha256());
            } else if (!task.getName().equals(registered.get().getTaskName())
                    || !Integer.valueOf(task.getVersion()).equals(registered.get().getTaskVersion())) {
                problems.add("datasets." + site.getCode() + ": dataset '" + ref.name() + "' belongs to task "
                        + (registered.get().getTaskName() == null ? "none" : "'" + registered.get().getTaskName() + "' v"
                        + registered.get().getTaskVersion()) + ", not '" + task.getName() + "' v" + task.getVersion());
            } else {
                pins.put(site.getCode(), new FederationPlan.DatasetPin(ref.name(), ref.sha256()));
                java.util.Set<String> carried = new java.util.TreeSet<>();
                if (registered.get().getTexts() > 0) {
                    carried.add("text");
                }
                if (registered.get().getImages() > 0) {
                    carried.add("image");
                }
                modalities.put(site.getCode(), carried);
                if (maxFlagged != null) {
                    qualityGate(site.getCode(), registered.get(), maxFlagged).ifPresent(problems::add);
                }
            }
        }
        if (r.datasets() != null) {
            java.util.Set<String> extra = new java.util.TreeSet<>(r.datasets().keySet());
            sites.forEach(s -> extra.remove(s.getCode()));
            if (!extra.isEmpty()) {
                problems.add("datasets: " + extra + " are not sites of this plan");
            }
        }
        if (!problems.isEmpty()) {
            throw new InvalidRequestException("invalid federation plan: " + String.join("; ", problems));
        }
        return new PlanPolicy.TaskModel(task.getName(), task.getVersion(), manifest, pins, maxFlagged, modalities);
    }

    /**
     * Why a site's pinned dataset version fails the plan's quality gate: it has no data-quality report,
     * or its newest one flags more of its items than the plan allows. Empty when it passes.
     */
    private java.util.Optional<String> qualityGate(String site, org.civitas.domain.dataset.DatasetRegistration dataset, double maxFlagged) {
        var report = qualityReports.latestReport(dataset.getId());
        if (report.isEmpty()) {
            return java.util.Optional.of("datasets." + site + ": dataset '" + dataset.getName() + "' version " + dataset.getVersion()
                    + " has no data-quality report, and the plan requires one (run the data-quality job on it at the site)");
        }
        double share = report.get().getItems() == 0 ? 1.0 : (double) report.get().getFlaggedItems() / report.get().getItems();
        if (share > maxFlagged) {
            return java.util.Optional.of(String.format(java.util.Locale.ROOT, "datasets.%s: data-quality report %d flags %.1f%% of the"
                    + " items of dataset '%s', more than the plan's maxFlaggedShare %.3f", site, report.get().getId(), 100 * share,
                    dataset.getName(), maxFlagged));
        }
        return java.util.Optional.empty();
    }

    /**
     * What a plan would be: its hash and canonical form, the enterprises that must agree to it, the
     * dataset it uses (a built-in model's), and the datasets each enterprise's agreement must cover.
     */
    public record PlanPreview(String planSha256, String canonicalJson, List<String> enterprises, String dataset,
                              Map<String, java.util.Set<String>> datasetsByEnterprise) {
    }

    public PlanPreview preview(PlanRequest request) {
        FederationPlan plan = plan(request);
        List<String> enterprises = plan.getSites().stream().map(s -> s.getEnterprise().getCode()).distinct().sorted().toList();
        Map<String, java.util.Set<String>> byEnterprise = new java.util.TreeMap<>();
        enterprises.forEach(e -> byEnterprise.put(e, datasetsOf(plan, e)));
        return new PlanPreview(plan.getPlanSha256(), plan.getCanonicalJson(), enterprises,
                plan.getTaskName() == null ? dataset(plan) : null, byEnterprise);
    }

    /** The dataset a plan's sites train on: the one its DP settings name, else the model's default. */
    public static String dataset(FederationPlan plan) {
        return plan.isDifferentiallyPrivate() ? plan.getDpDataset() : defaultDataset(plan.getModelKind());
    }

    /** The names of the datasets a plan trains on at an enterprise's sites, which its agreement must cover. */
    public static java.util.Set<String> datasetsOf(FederationPlan plan, String enterprise) {
        if (plan.getTaskName() == null) {
            return java.util.Set.of(dataset(plan));
        }
        java.util.Set<String> names = new java.util.TreeSet<>();
        plan.getSites().stream().filter(s -> s.getEnterprise().getCode().equals(enterprise))
                .forEach(s -> names.add(plan.getTrainingDatasets().get(s.getCode()).name()));
        return names;
    }

    @Inject
    jakarta.enterprise.event.Event<org.civitas.federation.common.RoundsOpened> roundsOpened;

    static java.util.Set<String> sitesOf(FederationPlan plan) {
        return plan.getSites().stream().map(s -> s.getCode()).collect(java.util.stream.Collectors.toSet());
    }

    private Views.FederationView start(FederationPlan plan, String actor) {
        Instant now = clock.instant();
        federations.add(plan);
        Federation federation = federations.add(new Federation(plan, now));
        federation.openRound().ifPresent(first -> schedules.fitDeadline(first, now));
        byte[] initial = SafeTensors.write(plan.getTaskName() != null ? multimodalInitialState(modelManifests.of(plan))
                        : ModelCatalog.initialState(plan),
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
        roundsOpened.fire(new org.civitas.federation.common.RoundsOpened(sitesOf(plan)));
        return Views.of(federation, registry.versions(federation.getId()));
    }

    /** Version 0 of a multimodal model: from the manifest's seeds, and its image tower from the pretrained base it names. */
    private org.civitas.federation.core.tensor.NamedTensors multimodalInitialState(
            org.civitas.federation.core.model.manifest.ModelManifest manifest) {
        String base = manifest.image() == null ? null : manifest.image().baseSha256();
        return org.civitas.federation.core.model.manifest.MultimodalWeights.initialState(manifest,
                base == null ? null : modelManifests.imageBase(base));
    }

    /**
     * The dataset version a site trains on, whose registered size bounds the sample count its update
     * may claim: the one the plan pins, or a feature model's table (its newest version; no hash).
     */
    public static FederationPlan.DatasetPin trainingDataset(FederationPlan plan, String siteCode) {
        FederationPlan.DatasetPin pinned = plan.getTrainingDatasets().get(siteCode);
        return pinned != null ? pinned : new FederationPlan.DatasetPin(defaultDataset(plan.getModelKind()), null);
    }

    /** The dataset a model trains on at each site, whose privacy budget a DP plan spends unless it names another. */
    static String defaultDataset(String modelKind) {
        return PlanPolicy.defaultDataset(modelKind);
    }

    public Views.FederationView federation(long id) {
        Federation f = federations.federation(id).orElseThrow(() -> new NotFoundException("federation " + id + " does not exist"));
        return Views.of(f, registry.versions(id), contributions.ofFederation(id), supersededBy(id));
    }

    /** Stops a running federation on the administrator's word; the open round fails with the reason. */
    public Views.FederationView stop(Caller caller, long id, String reason) {
        caller.require("stop federations", Role.CONSORTIUM_ADMIN);
        if (reason == null || reason.isBlank() || reason.length() > 500) {
            throw new InvalidRequestException("reason: say in 1-500 characters why the federation stops");
        }
        // No lock: the aggregator locks the round first; the versions of both rows keep a concurrent close from being lost.
        Federation f = federations.federation(id).orElseThrow(() -> new NotFoundException("federation " + id + " does not exist"));
        try {
            f.stop("stopped by " + caller.username() + ": " + reason.strip(), clock.instant());
        } catch (IllegalStateException e) {
            throw new org.civitas.federation.common.ConflictException(e.getMessage());
        }
        audit.record(caller.actor(), "federation.stopped", "federation " + id, f.getFailureReason());
        return federation(id);
    }

    public List<Views.FederationView> federations() {
        return federations.federations().stream()
                .map(f -> Views.of(f, registry.versions(f.getId()), contributions.ofFederation(f.getId()), supersededBy(f.getId()))).toList();
    }

    private List<Long> supersededBy(long federationId) {
        return federations.rebuildsOf(federationId).stream().map(org.civitas.domain.federation.Federation::getId).toList();
    }

    public byte[] modelState(long federationId, int version) {
        ModelVersion m = registry.version(federationId, version).orElseThrow(() ->
                new NotFoundException("federation " + federationId + " has no model version " + version));
        return stores.models().get(m.getSha256());
    }
}
