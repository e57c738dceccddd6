package org.civitas.federation.demo;

import org.civitas.federation.common.ReferenceConsortium;

import org.civitas.federation.common.Caller;
import org.civitas.federation.common.UserService;
import org.civitas.federation.coordinator.AgreementService;
import org.civitas.federation.coordinator.FederationService;
import org.civitas.federation.coordinator.ModelManifestService;
import org.civitas.federation.coordinator.PlanRequest;
import org.civitas.federation.coordinator.TaskService;
import org.civitas.domain.task.TaskDefinition;
import org.civitas.federation.core.dataset.Taxonomy;
import org.civitas.federation.core.model.manifest.ModelManifest;

import jakarta.annotation.PostConstruct;
import jakarta.ejb.Asynchronous;
import jakarta.ejb.DependsOn;
import jakarta.ejb.EJB;
import jakarta.ejb.Singleton;
import jakarta.ejb.Startup;
import jakarta.inject.Inject;
import org.civitas.domain.consortium.Enterprise;
import org.civitas.domain.consortium.Site;
import org.civitas.federation.infrastructure.CivitasSettings;
import org.civitas.federation.site.HostedSites;
import org.civitas.federation.site.SiteIdentity;
import org.civitas.infrastructure.persistence.ConsortiumRepository;
import org.civitas.infrastructure.persistence.FederationRepository;

import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.logging.Logger;

/**
 * In the standalone role, brings up the demo consortium through the services any consortium uses:
 * three enterprises, one site each with its own folder, identity and private data, registered at
 * the coordinator; the city-safety task, its model manifest and test split, registered like a
 * consortium's own; and, on first boot, the demo's federations. The multimodal one pins each site's
 * imported dataset version, so it starts once the three sites have imported their data. A
 * participant server with {@code civitas.site.demo-data=true} gets only its demo site's data.
 */
@Singleton
@Startup
@DependsOn("SchemaMigrator")
public class DemoConsortium {

    private static final Logger LOG = Logger.getLogger(DemoConsortium.class.getName());

    @Inject
    CivitasSettings settings;

    @Inject
    HostedSites hostedSites;

    @Inject
    ConsortiumRepository consortium;

    @Inject
    FederationRepository federations;

    @EJB
    FederationService federationService;

    @EJB
    UserService userService;

    @EJB
    TaskService tasks;

    @EJB
    ModelManifestService modelManifests;

    /** The password of every demo user (embedded default only; documented in the README). */
    public static final String DEMO_PASSWORD = "civitas-demo";

    @Inject
    org.civitas.federation.demo.DemoDatasets demoDatasets;

    /** The registered (label-less) model manifest of the city-safety federation. */
    private String manifestSha256;

    /** Whether this first boot still has to start the federations that wait for the sites' imports. */
    private boolean taskFederationsPending;

    @PostConstruct
    void bringUp() {
        if (settings.role() == CivitasSettings.Role.PARTICIPANT && settings.demoData()) {
            // A participant trying the consortium on separate servers: its demo site gets the demo's data.
            demoDatasets.generateIfMissing();
            return;
        }
        if (settings.role() != CivitasSettings.Role.STANDALONE) {
            return;
        }
        for (ReferenceConsortium.Profile profile : ReferenceConsortium.PROFILES) {
            SiteIdentity identity = hostedSites.identity(profile.siteCode());
            Enterprise enterprise = consortium.enterprise(profile.enterpriseCode()).orElseGet(() ->
                    consortium.add(new Enterprise(profile.enterpriseCode(), profile.enterpriseName(), profile.sector())));
            consortium.site(profile.siteCode()).ifPresentOrElse(
                    site -> {
                        if (!site.acceptsToken(identity.token())) {
                            site.rotateToken(identity.token());
                        }
                    },
                    () -> consortium.add(new Site(profile.siteCode(), profile.siteName(), enterprise, identity.token())));
        }
        demoDatasets.generateIfMissing();
        seedDemoUsers();
        registerTaskModelAndTestSplit();
        if (settings.demoAutostart() && federations.federationCount() == 0) {
            agreeAsDemoMembers(DemoPlans.features());
            long id = federationService.start(DemoPlans.features(), Caller.SYSTEM).id();
            LOG.info(() -> "Demo federation " + id + " started with sites " + ReferenceConsortium.CODES);
            taskFederationsPending = true;
            startTaskFederationsWhenImported();
        }
        LOG.info(() -> "Demo consortium ready: sites " + ReferenceConsortium.CODES + " under " + settings.dataDir().resolve("sites"));
    }

    /**
     * The city-safety task (its 12 labels, images and reports), the shipped two-tower model (MiniLM
     * frozen, or adapted with {@code civitas.demo.text-mode=adapters}) as a consortium registers one (without labels: a plan binds it to the task), and the coordinator's
     * test split of the task: each through its service, as an administrator would over REST.
     */
    @jakarta.ejb.EJB
    org.civitas.federation.coordinator.TowerPretrainingService pretraining;

    private void registerTaskModelAndTestSplit() {
        TaskService.TaskView task = tasks.registered(DemoDatasets.TASK).orElseGet(() -> tasks.register(Caller.SYSTEM,
                new TaskDefinition.Spec(DemoDatasets.TASK, "Classify a city-safety incident from the photo and the report a member's"
                        + " staff filed about it", Taxonomy.LABELS, Set.of("image", "text"), "macro-f1")));
        ModelManifest model = settings.demoAdaptsTextEncoder() ? ModelManifest.citySafetyAdapters() : ModelManifest.citySafetyDefault();
        manifestSha256 = modelManifests.register(Caller.SYSTEM, model.withoutLabels().canonicalJson()).sha256();
        if (tasks.testSplit(task.name(), task.version()).isEmpty()) {
            tasks.registerTestSplit(Caller.SYSTEM, task.name(), task.version(), DemoDatasets.TEST_SPLIT, DemoDatasets.TEST_MANIFEST);
        }
        if (pretraining.publicDatasets().stream().noneMatch(d -> d.name().equals(DemoDatasets.PUBLIC_DATASET))) {
            pretraining.registerPublicDataset(Caller.SYSTEM, DemoDatasets.PUBLIC_DATASET, "Generic incident photos and reports in a"
                    + " public style, none from a member: for pretraining image towers", DemoDatasets.PUBLIC_MANIFEST);
        }
    }

    /** A demo site finished importing its dataset: the federations that pin the sites' versions may start. */
    @Asynchronous
    public void demoDatasetImported() {
        startTaskFederationsWhenImported();
    }

    /**
     * Starts the multimodal federation, and the private one after it, once every demo site has
     * registered its dataset: the plan pins each site's content hash, so it cannot be made earlier.
     */
    private void startTaskFederationsWhenImported() {
        if (!taskFederationsPending) {
            return;
        }
        Map<String, String> hashes = demoDatasets.registeredHashes();
        if (!hashes.keySet().containsAll(ReferenceConsortium.CODES)) {
            return;
        }
        taskFederationsPending = false;
        try {
            PlanRequest multimodalPlan = DemoPlans.multimodal(manifestSha256, hashes);
            agreeAsDemoMembers(multimodalPlan);
            long multimodal = federationService.start(multimodalPlan, Caller.SYSTEM).id();
            LOG.info(() -> "Multimodal demo federation " + multimodal + " started on the sites' dataset versions " + hashes
                    + ": the sites train in their model worker");
            agreeAsDemoMembers(DemoPlans.privateFeatures());
            long secure = federationService.start(DemoPlans.privateFeatures(), Caller.SYSTEM).id();
            LOG.info(() -> "Private demo federation " + secure + " started: secure aggregation with differential privacy");
        } catch (RuntimeException e) {
            LOG.log(java.util.logging.Level.WARNING, "The demo's multimodal and private federations could not start", e);
        }
    }

    /**
     * The demo's users, one per role: the consortium's administrator, compliance officer and
     * auditor, and for each enterprise its data steward, compliance officer and IT operator.
     */
    private void seedDemoUsers() {
        java.util.List<String[]> demo = new java.util.ArrayList<>();
        demo.add(new String[] {"admin", null, "CONSORTIUM_ADMIN"});
        demo.add(new String[] {"consortium-compliance", null, "COMPLIANCE_OFFICER"});
        demo.add(new String[] {"auditor", null, "AUDITOR"});
        for (ReferenceConsortium.Profile p : ReferenceConsortium.PROFILES) {
            demo.add(new String[] {p.siteCode() + "-steward", p.enterpriseCode(), "DATA_STEWARD"});
            demo.add(new String[] {p.siteCode() + "-compliance", p.enterpriseCode(), "COMPLIANCE_OFFICER"});
            demo.add(new String[] {p.siteCode() + "-operator", p.enterpriseCode(), "IT_OPERATOR"});
        }
        for (String[] u : demo) {
            if (userService.caller(u[0]).isEmpty()) {
                userService.addUser(Caller.SYSTEM, u[0], DEMO_PASSWORD, u[1], java.util.Set.of(org.civitas.domain.security.Role.valueOf(u[2])));
            }
        }
    }

    @EJB
    AgreementService agreementService;

    /**
     * The demo plans go through governance like any other: each enterprise's data steward requests
     * an agreement for the datasets the plan trains on at its sites, its compliance officer and the
     * consortium's approve it.
     */
    private void agreeAsDemoMembers(PlanRequest plan) {
        FederationService.PlanPreview preview = federationService.preview(plan);
        Caller consortiumOfficer = userService.caller("consortium-compliance").orElseThrow();
        boolean multimodal = plan.task() != null;
        Double epsilon = plan.privacy() == null ? null : 60.0;
        for (ReferenceConsortium.Profile p : ReferenceConsortium.PROFILES) {
            if (!preview.enterprises().contains(p.enterpriseCode())) {
                continue;
            }
            Caller steward = userService.caller(p.siteCode() + "-steward").orElseThrow();
            Caller officer = userService.caller(p.siteCode() + "-compliance").orElseThrow();
            AgreementService.AgreementView a = agreementService.request(steward, new AgreementService.AgreementRequest(plan,
                    List.copyOf(preview.datasetsByEnterprise().get(p.enterpriseCode())),
                    multimodal ? Set.of("image", "text") : Set.of("features"),
                    "Embedded demo: a shared city-safety incident classifier", multimodal ? "incident classification, 12 classes"
                    : "incident classification, 5 classes", epsilon, epsilon == null ? null : 1e-5, 365, null, false, null));
            agreementService.decide(officer, a.id(), true, "Synthetic demo data; approved.");
            agreementService.decide(consortiumOfficer, a.id(), true, "Consortium approval for the demo.");
        }
    }
}
