package org.civitas.web.portal;

import jakarta.ejb.EJB;
import jakarta.enterprise.context.RequestScoped;
import jakarta.inject.Named;
import org.civitas.federation.application.DatasetRegistry;

import java.util.List;
import java.util.TreeSet;
import java.util.stream.Collectors;

/** Registered datasets and their label histograms, as the coordinator sees them (aggregates only). */
@Named
@RequestScoped
public class DatasetsBacking {

    private static final String[] COLOURS = {"#2563eb", "#f97316", "#16a34a", "#9333ea", "#dc2626", "#0891b2"};

    @EJB
    DatasetRegistry registry;

    private List<DatasetRegistry.DatasetView> datasets;

    public List<DatasetRegistry.DatasetView> getDatasets() {
        if (datasets == null) {
            datasets = registry.datasets();
        }
        return datasets;
    }

    /** A Chart.js bar chart: one bar series per dataset over the union of their labels. */
    public String getHistogramChart() {
        TreeSet<String> labels = new TreeSet<>();
        getDatasets().forEach(d -> labels.addAll(d.labelHistogram().keySet()));
        StringBuilder series = new StringBuilder();
        int i = 0;
        for (DatasetRegistry.DatasetView d : getDatasets()) {
            String values = labels.stream().map(l -> Integer.toString(d.labelHistogram().getOrDefault(l, 0))).collect(Collectors.joining(","));
            series.append(i == 0 ? "" : ",").append("{\"label\":\"").append(d.site()).append(" / ").append(d.name())
                    .append("\",\"data\":[").append(values).append("],\"backgroundColor\":\"").append(COLOURS[i % COLOURS.length]).append("\"}");
            i++;
        }
        String x = labels.stream().map(l -> "\"" + l + "\"").collect(Collectors.joining(","));
        return "{\"type\":\"bar\",\"data\":{\"labels\":[" + x + "],\"datasets\":[" + series + "]},"
                + "\"options\":{\"animation\":false,\"scales\":{\"y\":{\"title\":{\"display\":true,\"text\":\"samples\"}}}}}";
    }
}
