package org.civitas.federation.demo;

import org.civitas.federation.common.ReferenceConsortium;

import org.civitas.federation.site.HostedSites;
import org.civitas.federation.site.SiteIdentity;

import jakarta.batch.runtime.BatchRuntime;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.civitas.federation.core.data.FeatureCsv;
import org.civitas.federation.core.dataset.CitySafetyGenerator;
import org.civitas.federation.core.dataset.Taxonomy;
import org.civitas.federation.infrastructure.CivitasSettings;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.logging.Logger;

/**
 * The demo sites' own city-safety datasets: generated into each site's folder on first start
 * (seed {@value #SEED}), and registered with the {@code dataset-import} job once the site first
 * reaches the coordinator. The coordinator's clean test split and the public-style data are
 * generated beside them.
 */
@ApplicationScoped
public class DemoDatasets {

    private static final Logger LOG = Logger.getLogger(DemoDatasets.class.getName());
    public static final long SEED = 2026;
    /** The task the demo registers at the coordinator, and the name of each site's dataset of it. */
    public static final String TASK = "city-safety";
    public static final String NAME = "city-safety";
    /** Where a site keeps that dataset's manifest, inside its folder. */
    public static final String MANIFEST = "datasets/" + NAME + "/train.jsonl";
    /** The coordinator's test split of the task, inside the coordinator's folder. */
    public static final String TEST_SPLIT = NAME + "-test";
    public static final String TEST_MANIFEST = "datasets/" + TEST_SPLIT + "/test.jsonl";

    /** The generic public-style data at the coordinator, which the demo registers for pretraining image towers. */
    public static final String PUBLIC_DATASET = NAME + "-public";
    public static final String PUBLIC_MANIFEST = "datasets/" + PUBLIC_DATASET + "/train.jsonl";

    @Inject
    CivitasSettings settings;

    @Inject
    HostedSites hostedSites;

    private final Set<String> started = ConcurrentHashMap.newKeySet();

    /** The demo sites this server hosts and gives the demo's data (none unless {@link CivitasSettings#demoData()}). */
    public List<String> hostedDemoSites() {
        return settings.demoData() ? hostedSites.codes().stream().filter(ReferenceConsortium.CODES::contains).toList() : List.of();
    }

    /**
     * Generates what is missing: each hosted demo site's feature table and dataset, and at a
     * coordinator the test split and the public data.
     */
    public void generateIfMissing() {
        CitySafetyGenerator generator = new CitySafetyGenerator(CitySafetyGenerator.Config.defaults(SEED));
        try {
            for (String site : hostedDemoSites()) {
                SiteIdentity identity = hostedSites.identity(site);
                if (!Files.exists(identity.dataFile())) {
                    FeatureCsv.write(ReferenceConsortium.profile(site).orElseThrow().generate(), identity.dataFile());
                }
                Path dir = identity.home().resolve("datasets").resolve(NAME);
                if (!Files.exists(dir.resolve("train.jsonl"))) {
                    generator.generateSite(site, dir);
                }
            }
            if (!settings.isCoordinator()) {
                LOG.info(() -> "Demo data ready for sites " + hostedDemoSites());
                return;
            }
            Path test = settings.coordinatorDir().resolve(TEST_MANIFEST).getParent();
            if (!Files.exists(test.resolve("test.jsonl"))) {
                generator.generateTest(test);
            }
            Path pub = settings.coordinatorDir().resolve(PUBLIC_MANIFEST).getParent();
            if (!Files.exists(pub.resolve("train.jsonl"))) {
                generator.generatePublic(pub);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot generate the demo datasets", e);
        }
        LOG.info(() -> "Demo datasets ready for sites " + hostedDemoSites() + " (classes per domain: " + Taxonomy.CLASSES_BY_DOMAIN + ")");
    }

    @jakarta.ejb.EJB
    org.civitas.federation.site.SiteDatasetService siteDatasets;

    @jakarta.ejb.EJB
    org.civitas.federation.site.DataQualityService dataQuality;

    /** Starts the site's dataset-import job once, if its demo dataset is not registered yet. */
    void registerOnce(@jakarta.enterprise.event.Observes org.civitas.federation.site.SiteEvents.Reached reached) {
        SiteIdentity site = reached.site();
        if (!hostedDemoSites().contains(site.code())) {
            return;
        }
        if (isRegistered(site) || !Files.exists(site.home().resolve(MANIFEST)) || !started.add(site.code())) {
            return;
        }
        Properties params = new Properties();
        params.setProperty("site", site.code());
        params.setProperty("name", NAME);
        params.setProperty("manifest", MANIFEST);
        params.setProperty("task", TASK);
        params.setProperty("skipBadLines", "false");
        BatchRuntime.getJobOperator().start("dataset-import", params);
    }

    /**
     * After a successful import of the demo dataset: marked, so it is not imported again at the
     * next start, and checked once, so that training reads the curated manifest.
     */
    void imported(@jakarta.enterprise.event.Observes org.civitas.federation.site.SiteEvents.DatasetImported imported) {
        if (NAME.equals(imported.name()) && MANIFEST.equals(imported.manifest())) {
            try {
                Files.writeString(marker(imported.site()), imported.contentSha256());
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            dataQuality.startAsSystem(imported.site().code(), NAME, MANIFEST);
            demo.demoDatasetImported();
        }
    }

    @jakarta.ejb.EJB
    DemoConsortium demo;

    /** The content hash each hosted demo site registered its demo dataset with, for the sites that have. */
    java.util.Map<String, String> registeredHashes() {
        java.util.Map<String, String> hashes = new java.util.TreeMap<>();
        for (String code : hostedDemoSites()) {
            Path marker = marker(hostedSites.identity(code));
            try {
                if (Files.exists(marker)) {
                    hashes.put(code, Files.readString(marker).trim());
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return hashes;
    }

    /** Before an upload: the import job started at the site's first poll may not have finished yet. */
    void needed(@jakarta.enterprise.event.Observes org.civitas.federation.site.SiteEvents.DatasetNeeded needed) {
        SiteIdentity site = needed.site();
        if (NAME.equals(needed.name()) && !isRegistered(site) && Files.exists(site.home().resolve(MANIFEST))) {
            siteDatasets.registerManifest(site, NAME, MANIFEST, TASK);
        }
    }

    /** Whether the site's demo dataset was imported and registered (at this or an earlier start). */
    private boolean isRegistered(SiteIdentity site) {
        return Files.exists(marker(site));
    }

    private static Path marker(SiteIdentity site) {
        return site.home().resolve("datasets").resolve(NAME).resolve(".registered");
    }
}
