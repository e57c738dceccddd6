package org.civitas.federation.demo;

import org.civitas.federation.common.ReferenceConsortium;

import org.civitas.federation.common.Caller;
import org.civitas.federation.common.ModelCatalog;
import org.civitas.federation.infrastructure.SchemaMigrator;
import org.civitas.federation.common.UserService;
import org.civitas.federation.coordinator.AgreementService;
import org.civitas.federation.coordinator.FederationService;
import org.civitas.federation.coordinator.PlanRequest;

import jakarta.annotation.PostConstruct;
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

import java.util.logging.Logger;

/**
 * In the standalone role, brings up the demo consortium: three enterprises, one site each with
 * its own folder, identity and private data, registered at the coordinator; and, on first boot,
 * the demo federation. A participant server with {@code civitas.site.demo-data=true} gets only
 * its demo site's data.
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

    /** The password of every demo user (embedded default only; documented in the README). */
    public static final String DEMO_PASSWORD = "civitas-demo";

    @Inject
    org.civitas.federation.demo.DemoDatasets demoDatasets;

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
        if (settings.demoAutostart() && federations.federationCount() == 0) {
            agreeAsDemoMembers(PlanRequest.demo());
            agreeAsDemoMembers(PlanRequest.multimodalDemo());
            agreeAsDemoMembers(PlanRequest.privateDemo());
            long id = federationService.start(PlanRequest.demo(), Caller.SYSTEM).id();
            LOG.info(() -> "Demo federation " + id + " started with sites " + ReferenceConsortium.CODES);
            long multimodal = federationService.start(PlanRequest.multimodalDemo(), Caller.SYSTEM).id();
            LOG.info(() -> "Multimodal demo federation " + multimodal + " started: the sites train in their model worker");
            long secure = federationService.start(PlanRequest.privateDemo(), Caller.SYSTEM).id();
            LOG.info(() -> "Private demo federation " + secure + " started: secure aggregation with differential privacy");
        }
        LOG.info(() -> "Demo consortium ready: sites " + ReferenceConsortium.CODES + " under " + settings.dataDir().resolve("sites"));
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
     * an agreement, its compliance officer and the consortium's approve it.
     */
    private void agreeAsDemoMembers(PlanRequest plan) {
        FederationService.PlanPreview preview = federationService.preview(plan);
        Caller consortiumOfficer = userService.caller("consortium-compliance").orElseThrow();
        boolean multimodal = ModelCatalog.isMultimodal(plan.model());
        Double epsilon = plan.privacy() == null ? null : 60.0;
        for (ReferenceConsortium.Profile p : ReferenceConsortium.PROFILES) {
            if (!preview.enterprises().contains(p.enterpriseCode())) {
                continue;
            }
            Caller steward = userService.caller(p.siteCode() + "-steward").orElseThrow();
            Caller officer = userService.caller(p.siteCode() + "-compliance").orElseThrow();
            AgreementService.AgreementView a = agreementService.request(steward, new AgreementService.AgreementRequest(plan,
                    java.util.List.of(preview.dataset()), multimodal ? java.util.Set.of("image", "text") : java.util.Set.of("features"),
                    "Embedded demo: a shared city-safety incident classifier", multimodal ? "incident classification, 12 classes"
                    : "incident classification, 5 classes", epsilon, epsilon == null ? null : 1e-5, 365, null, false, null));
            agreementService.decide(officer, a.id(), true, "Synthetic demo data; approved.");
            agreementService.decide(consortiumOfficer, a.id(), true, "Consortium approval for the demo.");
        }
    }
}
