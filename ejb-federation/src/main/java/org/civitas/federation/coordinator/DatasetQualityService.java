package org.civitas.federation.coordinator;

import org.civitas.federation.common.AuditService;
import org.civitas.federation.common.InvalidRequestException;
import org.civitas.federation.common.NotFoundException;

import jakarta.ejb.EJB;
import jakarta.ejb.Stateless;
import jakarta.inject.Inject;
import jakarta.json.Json;
import jakarta.json.JsonObject;
import org.civitas.domain.consortium.Site;
import org.civitas.domain.dataset.DatasetRegistration;
import org.civitas.domain.quality.DatasetQualityReport;
import org.civitas.infrastructure.persistence.DatasetRepository;
import org.civitas.infrastructure.persistence.QualityRepository;

import java.io.StringReader;
import java.time.Instant;
import java.util.List;
import java.time.Clock;

/**
 * The coordinator's side of data quality: sites send an aggregate report about a dataset they
 * registered (counts and histograms only; a report that names items is refused), and members see
 * them beside the datasets and the agreements that use them.
 */
@Stateless
public class DatasetQualityService {

    @Inject
    Clock clock;

    /** A received report as the API and portal show it; {@code report} is the report's JSON object. */
    public record ReportView(long id, String site, String enterprise, String dataset, int items, int flaggedItems, JsonObject report,
                             Instant receivedAt) {
    }

    @Inject
    QualityRepository quality;

    @Inject
    DatasetRepository datasets;

    @EJB
    ParticipantProtocolService protocol;

    @EJB
    AuditService audit;

    /**
     * A site's report on one of its datasets: on the version with {@code contentSha256} (the one its
     * run checked), or on the newest version of the name when the site does not say.
     */
    public ReportView receive(SiteCaller caller, String datasetName, String contentSha256, String reportJson) {
        Site site = protocol.site(caller);
        DatasetRegistration dataset = (contentSha256 == null ? datasets.find(site.getCode(), datasetName)
                : datasets.find(site.getCode(), datasetName, contentSha256)).orElseThrow(() -> new NotFoundException(
                "site '" + site.getCode() + "' has registered no dataset named '" + datasetName + "'"
                        + (contentSha256 == null ? "" : " with content sha256 " + contentSha256) + "; register it before its quality report"));
        int items;
        try {
            items = org.civitas.federation.core.quality.QualityReportCheck.check(
                    org.civitas.federation.core.json.JsonTree.parse(reportJson == null ? "" : reportJson));
        } catch (IllegalArgumentException e) {
            throw new InvalidRequestException("quality report refused: " + e.getMessage());
        }
        JsonObject report = Json.createReader(new StringReader(reportJson)).readObject();
        int flagged = report.getInt("flaggedItems");
        if (flagged > items) {
            throw new InvalidRequestException("flaggedItems " + flagged + " exceeds items " + items);
        }
        DatasetQualityReport saved = quality.addReport(new DatasetQualityReport(dataset, items, flagged, report.toString(), clock.instant()));
        audit.record("site:" + site.getCode(), "dataset.quality.reported", "dataset " + site.getCode() + "/" + datasetName,
                flagged + " of " + items + " items flagged");
        return view(saved);
    }

    public List<ReportView> reports() {
        return quality.allReports().stream().map(DatasetQualityService::view).toList();
    }

    public List<ReportView> reports(String siteCode, String datasetName) {
        return quality.reports(siteCode, datasetName).stream().map(DatasetQualityService::view).toList();
    }

    public ReportView report(long id) {
        return quality.report(id).map(DatasetQualityService::view).orElseThrow(() -> new NotFoundException("no quality report " + id));
    }

    static ReportView view(DatasetQualityReport r) {
        return new ReportView(r.getId(), r.getDataset().getSite().getCode(), r.getDataset().getSite().getEnterprise().getCode(),
                r.getDataset().getName(), r.getItems(), r.getFlaggedItems(),
                Json.createReader(new StringReader(r.getReportJson())).readObject(), r.getReceivedAt());
    }
}
