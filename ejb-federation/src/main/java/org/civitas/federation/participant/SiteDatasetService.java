package org.civitas.federation.participant;

import jakarta.ejb.Local;
import jakarta.ejb.LocalBean;
import jakarta.ejb.Stateless;
import jakarta.ejb.TransactionAttribute;
import jakarta.ejb.TransactionAttributeType;
import jakarta.inject.Inject;
import org.civitas.batch.dataset.DatasetImportSteps;
import org.civitas.federation.application.DatasetMetadata;
import org.civitas.federation.application.InvalidRequestException;
import org.civitas.federation.core.dataset.ManifestImporter;
import org.civitas.federation.core.dataset.Taxonomy;
import org.civitas.federation.infrastructure.CoordinatorClient;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Set;

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
    DemoDatasets demoDatasets;

    @jakarta.ejb.EJB
    DataQualityService dataQuality;

    public ImportResult importManifest(String siteCode, String name, String manifest, boolean skipBadLines) {
        if (siteCode == null || !hostedSites.codes().contains(siteCode)) {
            throw new InvalidRequestException("site '" + siteCode + "' is not hosted on this server");
        }
        if (name == null || manifest == null) {
            throw new InvalidRequestException("an import needs name and manifest (a path inside the site's folder)");
        }
        SiteIdentity site = hostedSites.identity(siteCode);
        Path file = site.manifestInSite(manifest);
        ManifestImporter.Report report;
        try {
            report = ManifestImporter.check(file, Set.copyOf(Taxonomy.LABELS), skipBadLines);
        } catch (IOException e) {
            throw new InvalidRequestException("cannot read manifest '" + manifest + "': " + e.getMessage());
        }
        if (!report.accepted()) {
            String why = report.samples().isEmpty() ? "has no valid sample" : "has " + report.errors().size() + " invalid lines";
            throw new DatasetRejectedException("manifest '" + manifest + "' " + why + "; nothing was registered", report.errors());
        }
        ManifestImporter.Summary s = report.summary();
        DatasetMetadata metadata = new DatasetMetadata(name, s.samples(), s.images(), s.texts(), s.labeled(), s.labelHistogram(),
                report.errors().size(), s.contentSha256());
        try {
            coordinator.registerDataset(site, metadata);
        } catch (CoordinatorClient.ProtocolException e) {
            throw new InvalidRequestException("the coordinator refused the dataset: " + e.getMessage());
        }
        if (DemoDatasets.NAME.equals(name) && DemoDatasets.MANIFEST.equals(manifest)) {
            demoDatasets.markRegistered(site, s.contentSha256());
            // The demo checks its generated data once registered, so training reads the curated manifest.
            dataQuality.startAsSystem(siteCode, name, manifest);
        }
        return new ImportResult(siteCode, metadata, report.errors());
    }

    @Override
    public String importDataset(String site, String name, String manifest, boolean skipBadLines) {
        ImportResult r = importManifest(site, name, manifest, skipBadLines);
        return String.format(Locale.ROOT, "registered %s at site %s: %d samples, %d skipped lines", name, site,
                r.registered().samples(), r.skipped().size());
    }
}
