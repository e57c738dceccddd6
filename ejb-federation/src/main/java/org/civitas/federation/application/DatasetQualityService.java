package org.civitas.federation.application;

import jakarta.ejb.EJB;
import jakarta.ejb.Stateless;
import jakarta.inject.Inject;
import jakarta.json.Json;
import jakarta.json.JsonException;
import jakarta.json.JsonNumber;
import jakarta.json.JsonObject;
import jakarta.json.JsonValue;
import org.civitas.domain.consortium.Site;
import org.civitas.domain.dataset.DatasetRegistration;
import org.civitas.domain.quality.DatasetQualityReport;
import org.civitas.infrastructure.persistence.DatasetRepository;
import org.civitas.infrastructure.persistence.QualityRepository;

import java.io.StringReader;
import java.time.Instant;
import java.util.List;
import java.util.Set;

/**
 * The coordinator's side of data quality: sites send an aggregate report about a dataset they
 * registered (counts and histograms only; a report that names items is refused), and members see
 * them beside the datasets and the agreements that use them.
 */
@Stateless
public class DatasetQualityService {

    /** A received report as the API and portal show it; {@code report} is the report's JSON object. */
    public record ReportView(long id, String site, String enterprise, String dataset, int items, int flaggedItems, JsonObject report,
                             Instant receivedAt) {
    }

    // The fields a report may carry: aggregates only.
    private static final Set<String> FIELDS = Set.of("items", "flaggedItems", "redactedItems", "curatedItems", "findings",
            "scoreHistograms", "sharpnessHistogram", "luminanceHistogram", "textLabelAgreement", "imageLabelAgreement", "thresholds");

    @Inject
    QualityRepository quality;

    @Inject
    DatasetRepository datasets;

    @EJB
    ParticipantProtocolService protocol;

    @EJB
    AuditService audit;

    public ReportView receive(String siteCode, String token, String datasetName, String reportJson) {
        Site site = protocol.authenticate(siteCode, token);
        DatasetRegistration dataset = datasets.find(site.getCode(), datasetName).orElseThrow(() -> new NotFoundException(
                "site '" + site.getCode() + "' has registered no dataset named '" + datasetName + "'; register it before its quality report"));
        JsonObject report;
        try {
            report = Json.createReader(new StringReader(reportJson == null ? "" : reportJson)).readObject();
        } catch (JsonException | IllegalStateException e) {
            throw new InvalidRequestException("a quality report must be a JSON object: " + e.getMessage());
        }
        for (String field : report.keySet()) {
            if (!FIELDS.contains(field)) {
                throw new InvalidRequestException("a quality report carries aggregates only; unknown field '" + field + "'");
            }
        }
        int items = whole(report, "items");
        int flagged = whole(report, "flaggedItems");
        if (flagged > items) {
            throw new InvalidRequestException("flaggedItems " + flagged + " exceeds items " + items);
        }
        DatasetQualityReport saved = quality.addReport(new DatasetQualityReport(dataset, items, flagged, report.toString(), Instant.now()));
        audit.record("site:" + site.getCode(), "dataset.quality.reported", "dataset " + site.getCode() + "/" + datasetName,
                flagged + " of " + items + " items flagged");
        return view(saved);
    }

    private static int whole(JsonObject report, String field) {
        JsonValue v = report.get(field);
        if (!(v instanceof JsonNumber n) || !n.isIntegral() || n.intValue() < 0) {
            throw new InvalidRequestException("a quality report needs '" + field + "' as a whole number of at least 0");
        }
        return n.intValue();
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
