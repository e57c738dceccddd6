package org.civitas.federation.participant;

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
    public static final String NAME = "city-safety";
    public static final String MANIFEST = "datasets/" + NAME + "/train.jsonl";
    /** The feature table (the site's {@code data.csv}) that the tabular models train on. */
    public static final String FEATURES = "incident-features";

    @Inject
    CivitasSettings settings;

    @Inject
    HostedSites hostedSites;

    private final Set<String> started = ConcurrentHashMap.newKeySet();

    /** The demo sites this server hosts and gives the demo's data (none unless {@link CivitasSettings#demoData()}). */
    public List<String> hostedDemoSites() {
        return settings.demoData() ? hostedSites.codes().stream().filter(DemoSites.CODES::contains).toList() : List.of();
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
                    FeatureCsv.write(DemoSites.profile(site).orElseThrow().generate(), identity.dataFile());
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
            Path test = settings.dataDir().resolve("coordinator").resolve("datasets").resolve(NAME + "-test");
            if (!Files.exists(test.resolve("test.jsonl"))) {
                generator.generateTest(test);
            }
            Path pub = settings.dataDir().resolve("public").resolve(NAME + "-public");
            if (!Files.exists(pub.resolve("train.jsonl"))) {
                generator.generatePublic(pub);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot generate the demo datasets", e);
        }
        LOG.info(() -> "Demo datasets ready for sites " + hostedDemoSites() + " (classes per domain: " + Taxonomy.CLASSES_BY_DOMAIN + ")");
    }

    /** Starts the site's dataset-import job once, if its demo dataset is not registered yet. */
    public void registerOnce(SiteIdentity site) {
        if (!hostedDemoSites().contains(site.code())) {
            return;
        }
        Path marker = site.home().resolve("datasets").resolve(NAME).resolve(".registered");
        if (Files.exists(marker) || !Files.exists(site.home().resolve(MANIFEST)) || !started.add(site.code())) {
            return;
        }
        Properties params = new Properties();
        params.setProperty("site", site.code());
        params.setProperty("name", NAME);
        params.setProperty("manifest", MANIFEST);
        params.setProperty("skipBadLines", "false");
        BatchRuntime.getJobOperator().start("dataset-import", params);
    }

    /** Whether the site's demo dataset was imported and registered (at this or an earlier start). */
    public boolean isRegistered(SiteIdentity site) {
        return Files.exists(site.home().resolve("datasets").resolve(NAME).resolve(".registered"));
    }

    /** Called after a successful import of the demo dataset, so it is not imported again at the next start. */
    public void markRegistered(SiteIdentity site, String contentSha256) {
        try {
            Files.writeString(site.home().resolve("datasets").resolve(NAME).resolve(".registered"), contentSha256);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
