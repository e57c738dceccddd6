package org.civitas.web.portal.quality;

import jakarta.ejb.EJB;
import jakarta.faces.view.ViewScoped;
import jakarta.inject.Named;
import jakarta.json.JsonArray;
import jakarta.json.JsonNumber;
import jakarta.json.JsonObject;
import jakarta.json.JsonValue;
import org.civitas.federation.coordinator.DatasetQualityService;
import org.civitas.web.portal.Chart;
import org.civitas.web.portal.Texts;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** The quality page's area of the aggregate reports the coordinator holds, the newest of each dataset, with charts. */
@Named
@ViewScoped
public class QualityReports implements Serializable {

    private static final long serialVersionUID = 1L;

    @EJB
    DatasetQualityService reports;

    private transient List<DatasetQualityService.ReportView> newest;

    /** The newest report of each dataset. */
    public List<DatasetQualityService.ReportView> getReports() {
        if (newest == null) {
            Map<String, DatasetQualityService.ReportView> byDataset = new LinkedHashMap<>();
            for (DatasetQualityService.ReportView r : reports.reports()) {
                byDataset.putIfAbsent(r.site() + "/" + r.dataset(), r);
            }
            newest = new ArrayList<>(byDataset.values());
        }
        return newest;
    }

    /** Findings per check, as a Chart.js bar chart; a report without findings gives an empty chart. */
    public String findingsChart(DatasetQualityService.ReportView r) {
        JsonObject findings = r.report().get("findings") instanceof JsonObject o ? o : JsonValue.EMPTY_JSON_OBJECT;
        List<String> checks = new ArrayList<>();
        List<Integer> counts = new ArrayList<>();
        findings.forEach((check, count) -> {
            if (count instanceof JsonNumber n) {
                checks.add(check.replace('_', ' '));
                counts.add(n.intValue());
            }
        });
        return Chart.bar().horizontal().withoutLegend().labels(checks).series(Texts.of("chart.flaggedItems"), counts, "#dc2626")
                .axisTitle("x", Texts.of("chart.items")).json();
    }

    /** The images' sharpness (relative to the dataset median) and luminance histograms, as one Chart.js bar chart. */
    public String imageChart(DatasetQualityService.ReportView r) {
        List<Integer> sharpness = counts(r.report().get("sharpnessHistogram"));
        List<Integer> luminance = counts(r.report().get("luminanceHistogram"));
        List<String> bins = new ArrayList<>();
        for (int i = 0; i < Math.max(sharpness.size(), luminance.size()); i++) {
            bins.add(String.format(Locale.ROOT, "%.1f · %.1f", i / 10.0, i / 5.0));
        }
        return Chart.bar().labels(bins)
                .series(Texts.of("chart.luminance"), luminance, "#f97316")
                .series(Texts.of("chart.sharpness"), sharpness, "#2563eb")
                .axisTitle("x", Texts.of("chart.bins")).axisTitle("y", Texts.of("chart.images")).json();
    }

    /** The whole numbers of a histogram; anything else (missing, not a list, not numbers) reads as none. */
    private static List<Integer> counts(JsonValue value) {
        if (!(value instanceof JsonArray a)) {
            return List.of();
        }
        return a.stream().filter(v -> v instanceof JsonNumber).map(v -> ((JsonNumber) v).intValue()).toList();
    }

    /** A whole number of the report, or "n/a" when the report lacks it. */
    public String count(DatasetQualityService.ReportView r, String field) {
        return r.report().get(field) instanceof JsonNumber n ? Integer.toString(n.intValue()) : Texts.of("common.na");
    }

    public String percent(Object value) {
        return value instanceof JsonNumber n ? String.format(Locale.ROOT, "%.0f %%", 100 * n.doubleValue()) : Texts.of("common.na");
    }
}
