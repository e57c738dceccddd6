package org.civitas.federation.application;

import jakarta.annotation.PostConstruct;
import jakarta.ejb.DependsOn;
import jakarta.ejb.EJB;
import jakarta.ejb.Singleton;
import jakarta.ejb.Startup;
import jakarta.inject.Inject;
import org.civitas.domain.consortium.Enterprise;
import org.civitas.domain.consortium.Site;
import org.civitas.federation.core.data.FeatureCsv;
import org.civitas.federation.infrastructure.CivitasSettings;
import org.civitas.federation.participant.DemoSites;
import org.civitas.federation.participant.HostedSites;
import org.civitas.federation.participant.SiteIdentity;
import org.civitas.infrastructure.persistence.ConsortiumRepository;
import org.civitas.infrastructure.persistence.FederationRepository;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.util.logging.Logger;

/**
 * In the standalone role, brings up the demo consortium: three enterprises, one site each with
 * its own folder, identity and private data, registered at the coordinator; and, on first boot,
 * the demo federation.
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

    @Inject
    org.civitas.federation.participant.DemoDatasets demoDatasets;

    @PostConstruct
    void bringUp() {
        if (settings.role() != CivitasSettings.Role.STANDALONE) {
            return;
        }
        for (DemoSites.Profile profile : DemoSites.PROFILES) {
            SiteIdentity identity = hostedSites.identity(profile.siteCode());
            writeDataIfMissing(profile, identity);
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
        if (settings.demoAutostart() && federations.federationCount() == 0) {
            long id = federationService.start(PlanRequest.demo()).id();
            LOG.info(() -> "Demo federation " + id + " started with sites " + DemoSites.CODES);
            long multimodal = federationService.start(PlanRequest.multimodalDemo()).id();
            LOG.info(() -> "Multimodal demo federation " + multimodal + " started: the sites train in their model worker");
            long secure = federationService.start(PlanRequest.privateDemo()).id();
            LOG.info(() -> "Private demo federation " + secure + " started: secure aggregation with differential privacy");
        }
        LOG.info(() -> "Demo consortium ready: sites " + DemoSites.CODES + " under " + settings.dataDir().resolve("sites"));
    }

    private static void writeDataIfMissing(DemoSites.Profile profile, SiteIdentity identity) {
        if (Files.exists(identity.dataFile())) {
            return;
        }
        try {
            FeatureCsv.write(profile.generate(), identity.dataFile());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the demo data of site " + profile.siteCode(), e);
        }
    }
}
