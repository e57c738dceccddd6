package org.civitas.federation.site;

import org.civitas.federation.common.BuiltInTask;

import jakarta.ejb.Local;
import jakarta.ejb.LocalBean;
import jakarta.ejb.Stateless;
import jakarta.ejb.TransactionAttribute;
import jakarta.ejb.TransactionAttributeType;
import jakarta.inject.Inject;
import org.civitas.batch.dataset.DatasetImportSteps;
import org.civitas.federation.common.Caller;
import org.civitas.federation.protocol.DatasetMetadata;
import org.civitas.federation.common.InvalidRequestException;
import org.civitas.federation.core.dataset.ManifestImporter;
import org.civitas.federation.protocol.TaskDefinitionMessage;

import org.civitas.federation.core.data.FeatureCsv;
import org.civitas.federation.core.model.LabeledFeatures;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * A site imports a dataset: the manifest (inside the site's own folder) is checked line by line;
 * a manifest with errors is refused whole unless bad lines are to be skipped; the aggregates are
 * then registered at the coordinator over the participant protocol. Samples never leave the site.
 */
@Stateless
@LocalBean
@Local(DatasetImportSteps.class)
@TransactionAttribute(TransactionAttributeType.NOT_SUPPORTED)
public class SiteDatasetService implements DatasetImportSteps {

    /** The outcome of an import: what was registered and which lines were skipped. */
    public record ImportResult(String site, DatasetMetadata registered, List<ManifestImporter.LineError> skipped) {
    }

    @Inject
    HostedSites hostedSites;

    @Inject
    CoordinatorClient coordinator;

    @Inject
    org.civitas.federation.infrastructure.CivitasSettings settings;

    @Inject
    jakarta.enterprise.event.Event<SiteEvents.DatasetImported> imported;

    @Inject
    jakarta.enterprise.event.Event<SiteEvents.DatasetNeeded> needed;

    @jakarta.ejb.EJB
    DataQualityService dataQuality;

    @jakarta.ejb.EJB
    SiteStaff staff;

    @jakarta.ejb.EJB
    org.civitas.federation.common.AuditService audit;

    @jakarta.ejb.EJB
    org.civitas.federation.common.TransactionRunner transactions;

    @Inject
    org.civitas.infrastructure.persistence.SiteDatasetRepository imports;

    @Inject
    java.time.Clock clock;

    /**
     * A user imports a manifest at a hosted site for a task (its newest version when {@code taskVersion}
     * is null): the site's own data steward, or the consortium administrator. The lines are checked
     * against the task's labels and modalities, which the site reads from the coordinator.
     */
    public ImportResult importManifest(Caller caller, String siteCode, String name, String manifest, boolean skipBadLines, String task,
                                       Integer taskVersion) {
        if (siteCode == null || !hostedSites.codes().contains(siteCode)) {
            throw new InvalidRequestException("site '" + siteCode + "' is not hosted on this server");
        }
        staff.requireImporter(caller, siteCode);
        return importManifest(caller.actor(), siteCode, name, manifest, skipBadLines, task, taskVersion);
    }

    private ImportResult importManifest(String actor, String siteCode, String name, String manifest, boolean skipBadLines, String task,
                                        Integer taskVersion) {
        if (siteCode == null || !hostedSites.codes().contains(siteCode)) {
            throw new InvalidRequestException("site '" + siteCode + "' is not hosted on this server");
        }
        if (name == null || manifest == null || task == null) {
            throw new InvalidRequestException("an import needs name, manifest (a path inside the site's folder) and task");
        }
        SiteIdentity site = hostedSites.identity(siteCode);
        Checked checked = manifestMetadata(site, name, manifest, skipBadLines, taskDefinition(site, task, taskVersion));
        DatasetMetadata metadata = checked.metadata();
        register(site, metadata);
        // Recorded once the coordinator has the registration (the call above is not transactional).
        String detail = String.format(Locale.ROOT, "manifest %s: %d samples, %d skipped lines, content sha256 %s", manifest,
                metadata.samples(), checked.skipped().size(), metadata.contentSha256());
        transactions.once(() -> {
            remember(site, name, manifest, metadata, actor);
            audit.record(actor, "dataset.imported", "site " + siteCode + " dataset " + name, detail);
            return null;
        });
        imported.fire(new SiteEvents.DatasetImported(site, name, manifest, metadata.contentSha256()));
        return new ImportResult(siteCode, metadata, checked.skipped());
    }

    /**
     * Makes sure the coordinator knows the dataset a round trains on before the site's update
     * claims a sample count against it. Registration is idempotent, so this can run before every
     * upload: the demo dataset once its import job has registered it is skipped, the feature table
     * is registered from its rows, any other dataset must have been imported by the site's staff.
     */
    public void ensureRegistered(SiteIdentity site, String dataset) {
        if (BuiltInTask.FEATURES_DATASET.equals(dataset) && Files.exists(site.dataFile())) {
            register(site, featureTable(site));
        } else {
            needed.fire(new SiteEvents.DatasetNeeded(site, dataset));
        }
    }

    /** Registers a manifest inside the site's folder for a task's newest version, refusing it whole if a line is bad. */
    public void registerManifest(SiteIdentity site, String name, String manifest, String task) {
        DatasetMetadata metadata = manifestMetadata(site, name, manifest, false, taskDefinition(site, task, null)).metadata();
        register(site, metadata);
        transactions.once(() -> {
            remember(site, name, manifest, metadata, org.civitas.federation.common.AuditService.SYSTEM);
            return null;
        });
    }

    /** The site's own record of a dataset version: which manifest inside its folder holds that content. */
    private void remember(SiteIdentity site, String name, String manifest, DatasetMetadata metadata, String actor) {
        if (imports.find(site.code(), name, metadata.contentSha256()).isEmpty()) {
            String relative = site.home().toAbsolutePath().normalize().relativize(site.manifestInSite(manifest)).toString();
            imports.add(new org.civitas.domain.participant.SiteDataset(site.code(), name, relative, metadata.contentSha256(),
                    metadata.samples(), metadata.task(), metadata.taskVersion(), actor, clock.instant()));
        }
    }

    /**
     * The manifest of a dataset version the site imported, by name and content hash: what a plan
     * pinned. A version the site does not hold is refused, naming what it holds of that name.
     */
    @TransactionAttribute(TransactionAttributeType.REQUIRED)
    public org.civitas.domain.participant.SiteDataset imported(SiteIdentity site, String name, String contentSha256) {
        return imports.find(site.code(), name, contentSha256).orElseThrow(() -> new IllegalStateException("site " + site.code()
                + " holds no dataset '" + name + "' with content sha256 " + contentSha256 + " (it holds "
                + imports.ofSite(site.code()).stream().filter(d -> d.getName().equals(name)).map(d -> d.getContentSha256()).toList() + ")"));
    }

    /** The task version from the coordinator; one it does not know is the caller's mistake, named. */
    private TaskDefinitionMessage taskDefinition(SiteIdentity site, String task, Integer version) {
        try {
            return coordinator.taskDefinition(site, task, version);
        } catch (CoordinatorClient.ProtocolException e) {
            if (e.status() == 404) {
                throw new InvalidRequestException("task: the coordinator has no task '" + task + "'" + (version == null ? "" : " version "
                        + version) + "; the consortium administrator registers it first (POST /api/tasks)");
            }
            throw new InvalidRequestException("the coordinator did not answer the task '" + task + "': " + e.getMessage());
        }
    }

    private record Checked(DatasetMetadata metadata, List<ManifestImporter.LineError> skipped) {
    }

    private Checked manifestMetadata(SiteIdentity site, String name, String manifest, boolean skipBadLines, TaskDefinitionMessage task) {
        Path file = site.manifestInSite(manifest);
        ManifestImporter.Report report;
        try {
            report = ManifestImporter.check(file, Set.copyOf(task.labels()), task.modalities(), skipBadLines, settings.imageMaxPixels());
        } catch (IOException e) {
            throw new InvalidRequestException("cannot read manifest '" + manifest + "': " + e.getMessage());
        }
        if (!report.accepted()) {
            String why = report.samples().isEmpty() ? "has no valid sample" : "has " + report.errors().size() + " invalid lines";
            throw new DatasetRejectedException("manifest '" + manifest + "' " + why + "; nothing was registered", report.errors());
        }
        ManifestImporter.Summary s = report.summary();
        return new Checked(new DatasetMetadata(name, s.samples(), s.images(), s.texts(), s.labeled(), s.labelHistogram(),
                report.errors().size(), s.contentSha256(), task.name(), task.version()), report.errors());
    }

    /** The feature table's aggregates: its rows, all labelled, and their class histogram. */
    private static DatasetMetadata featureTable(SiteIdentity site) {
        try {
            byte[] bytes = Files.readAllBytes(site.dataFile());
            LabeledFeatures rows = FeatureCsv.read(site.dataFile(), Integer.MAX_VALUE);
            Map<String, Integer> histogram = new TreeMap<>();
            for (int label : rows.labels()) {
                histogram.merge("class-" + label, 1, Integer::sum);
            }
            return new DatasetMetadata(BuiltInTask.FEATURES_DATASET, rows.size(), 0, 0, rows.size(), histogram, 0,
                    org.civitas.federation.infrastructure.BlobStore.sha256(bytes), null, null);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException("site " + site.code() + " cannot read its feature table", e);
        }
    }

    private void register(SiteIdentity site, DatasetMetadata metadata) {
        try {
            coordinator.registerDataset(site, metadata);
        } catch (CoordinatorClient.ProtocolException e) {
            throw new InvalidRequestException("the coordinator refused the dataset: " + e.getMessage());
        }
    }

    @Override
    public String importDataset(String site, String name, String manifest, boolean skipBadLines, String task) {
        // The dataset-import job runs for the platform (the demo registers its generated data this way).
        ImportResult r = importManifest(org.civitas.federation.common.AuditService.SYSTEM, site, name, manifest, skipBadLines, task, null);
        return String.format(Locale.ROOT, "registered %s at site %s: %d samples, %d skipped lines", name, site,
                r.registered().samples(), r.skipped().size());
    }
}
