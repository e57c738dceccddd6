package org.civitas.web.portal;

import jakarta.ejb.EJB;
import jakarta.enterprise.context.RequestScoped;
import jakarta.faces.application.FacesMessage;
import jakarta.faces.context.FacesContext;
import jakarta.inject.Inject;
import jakarta.inject.Named;
import jakarta.json.JsonArray;
import jakarta.json.JsonNumber;
import jakarta.json.JsonObject;
import jakarta.json.JsonValue;
import org.civitas.federation.common.ConflictException;
import org.civitas.federation.coordinator.DatasetQualityService;
import org.civitas.federation.common.ForbiddenException;
import org.civitas.federation.common.InvalidRequestException;
import org.civitas.federation.common.NotFoundException;
import org.civitas.federation.site.DataQualityService;
import org.civitas.federation.site.HostedSites;
import org.civitas.web.security.CurrentCaller;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The data-quality page: the aggregate reports the coordinator holds, with charts; and for each
 * site hosted here, its latest run with progress, and for the site's own staff the flagged items
 * with thumbnails (they never leave the site).
 */
@Named
@RequestScoped
public class QualityBacking {


    @EJB
    DatasetQualityService reports;

    @EJB
    DataQualityService quality;

    @Inject
    HostedSites hostedSites;

    @Inject
    CurrentCaller caller;

    private final Map<String, String> manifests = new HashMap<>();
    private List<DatasetQualityService.ReportView> reportList;
    private Map<String, DataQualityService.RunView> latest;

    /** A flagged item as the page shows it: the finding and, when the item has an image, its thumbnail as a data URI. */

    /** The newest report of each dataset. */
    public List<DatasetQualityService.ReportView> getReports() {
        if (reportList == null) {
            Map<String, DatasetQualityService.ReportView> newest = new LinkedHashMap<>();
            for (DatasetQualityService.ReportView r : reports.reports()) {
                newest.putIfAbsent(r.site() + "/" + r.dataset(), r);
            }
            reportList = new ArrayList<>(newest.values());
        }
        return reportList;
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
        return Chart.bar().horizontal().withoutLegend().labels(checks).series("flagged items", counts, "#dc2626")
                .axisTitle("x", "items").json();
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
                .series("mean luminance", luminance, "#f97316")
                .series("sharpness / dataset median", sharpness, "#2563eb")
                .axisTitle("x", "bin from: luminance · sharpness ratio").axisTitle("y", "images").json();
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
        return r.report().get(field) instanceof JsonNumber n ? Integer.toString(n.intValue()) : "n/a";
    }

    public String percent(Object value) {
        return value instanceof JsonNumber n ? String.format(Locale.ROOT, "%.0f %%", 100 * n.doubleValue()) : "n/a";
    }

    public List<String> getSites() {
        return hostedSites.codes().stream().sorted().toList();
    }

    /** Each hosted site's newest quality run, if it has one. */
    public Map<String, DataQualityService.RunView> getLatest() {
        if (latest == null) {
            latest = new HashMap<>();
            for (String site : getSites()) {
                quality.runs(site).stream().findFirst().ifPresent(r -> latest.put(site, r));
            }
        }
        return latest;
    }

    public int progress(DataQualityService.RunView run) {
        return run.totalItems() == 0 ? 0 : (int) Math.min(100, 100 * run.itemsDone() / run.totalItems());
    }

    /** Whether the caller is on the staff of the site's enterprise, who may see its flagged items. */
    public boolean staffOf(String site) {
        return quality.mayInspectItems(caller.get(), site);
    }

    /** The newest completed run's flagged items; the page loads their thumbnails from {@link QualityItemImages}. */
    public List<DataQualityService.FindingView> flagged(String site) {
        DataQualityService.RunView run = getLatest().get(site);
        if (run == null || !"COMPLETED".equals(run.status()) || !staffOf(site)) {
            return List.of();
        }
        return quality.findings(caller.get(), site, run.id());
    }

    /** Where the thumbnail of a flagged item loads from, in this session. */
    public String thumbnail(String site, DataQualityService.FindingView item) {
        return FacesContext.getCurrentInstance().getExternalContext().getRequestContextPath() + QualityItemImages.PATH + "?site="
                + java.net.URLEncoder.encode(site, java.nio.charset.StandardCharsets.UTF_8) + "&run=" + getLatest().get(site).id()
                + "&line=" + item.line();
    }

    public Map<String, String> getManifests() {
        if (manifests.isEmpty()) {
            getSites().forEach(s -> manifests.put(s, "datasets/city-safety/train.jsonl"));
        }
        return manifests;
    }

    public void check(String site) {
        FacesContext faces = FacesContext.getCurrentInstance();
        try {
            DataQualityService.RunView run = quality.start(caller.get(), site, "city-safety", getManifests().get(site), null, null);
            faces.addMessage(null, new FacesMessage(FacesMessage.SEVERITY_INFO, "Quality run " + run.id() + " started at site " + site,
                    run.totalItems() + " items to check"));
            latest = null;
        } catch (InvalidRequestException | ForbiddenException | NotFoundException | ConflictException e) {
            faces.addMessage(null, new FacesMessage(FacesMessage.SEVERITY_ERROR, "Cannot check the data of " + site, e.getMessage()));
        }
    }
}
