package org.civitas.web.portal.federations;

import jakarta.ejb.EJB;
import jakarta.faces.view.ViewScoped;
import jakarta.inject.Named;
import org.civitas.federation.coordinator.DatasetRegistry;
import org.civitas.web.portal.Chart;
import org.civitas.web.portal.Texts;

import java.io.Serializable;
import java.util.List;
import java.util.TreeSet;

/** The federations page's area of registered datasets and their label histograms, as the coordinator sees them (aggregates only). */
@Named
@ViewScoped
public class DatasetOverview implements Serializable {

    private static final long serialVersionUID = 1L;

    private static final String[] COLOURS = {"#2563eb", "#f97316", "#16a34a", "#9333ea", "#dc2626", "#0891b2"};

    @EJB
    DatasetRegistry registry;

    private transient List<DatasetRegistry.DatasetView> datasets;

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
        Chart chart = Chart.bar().labels(List.copyOf(labels)).axisTitle("y", Texts.of("chart.samples"));
        int i = 0;
        for (DatasetRegistry.DatasetView d : getDatasets()) {
            chart.series(d.site() + " / " + d.name(), labels.stream().map(l -> d.labelHistogram().getOrDefault(l, 0)).toList(),
                    COLOURS[i++ % COLOURS.length]);
        }
        return chart.json();
    }
}
