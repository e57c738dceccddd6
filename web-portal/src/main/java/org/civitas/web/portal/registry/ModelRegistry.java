package org.civitas.web.portal.registry;

import jakarta.ejb.EJB;
import jakarta.faces.view.ViewScoped;
import jakarta.inject.Named;
import org.civitas.federation.coordinator.AgreementService;
import org.civitas.federation.coordinator.FederationService;
import org.civitas.federation.common.NotFoundException;
import org.civitas.federation.coordinator.Views;

import org.civitas.web.portal.Chart;
import org.civitas.web.portal.Texts;

import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The model registry: every federation's model versions with their lineage: the plan (hash and
 * canonical form), the agreements that allowed it, the sites whose updates built each version,
 * its parent, and its metrics ({@code federation} parameter selects one).
 */
@Named
@ViewScoped
public class ModelRegistry implements java.io.Serializable {

    private static final long serialVersionUID = 1L;

    @EJB
    FederationService federations;

    @EJB
    AgreementService agreements;

    private Long federation;
    private transient Views.FederationView selected;
    private transient List<Views.FederationView> all;

    public List<Views.FederationView> getFederations() {
        if (all == null) {
            all = federations.federations();
        }
        return all;
    }

    public Views.FederationView getSelected() {
        if (selected == null && federation != null) {
            try {
                selected = federations.federation(federation);
            } catch (NotFoundException e) {
                return null;
            }
        }
        return selected;
    }

    public List<AgreementService.AgreementView> getAgreements() {
        return getSelected() == null ? List.of() : agreements.forPlan(getSelected().planSha256());
    }

    /** The newest version of the selected federation whose evaluation kept its confusion matrix, if any. */
    public Views.ModelVersionView getEvaluated() {
        if (getSelected() == null) {
            return null;
        }
        return getSelected().models().stream().filter(v -> v.evaluation() != null && v.evaluation().confusion() != null)
                .reduce((a, b) -> b.version() > a.version() ? b : a).orElse(null);
    }

    /** Precision, recall and F1 of each label of that version, as a Chart.js bar chart. */
    public String getPerLabelChart() {
        List<org.civitas.federation.core.evaluation.ConfusionMatrix.LabelMetrics> metrics = getEvaluated().evaluation().perLabel();
        return Chart.bar().labels(metrics.stream().map(m -> m.label()).toList())
                .series(Texts.of("chart.precision"), metrics.stream().map(m -> m.precision()).toList(), "#2563eb")
                .series(Texts.of("chart.recall"), metrics.stream().map(m -> m.recall()).toList(), "#f97316")
                .series(Texts.of("chart.f1"), metrics.stream().map(m -> m.f1()).toList(), "#16a34a")
                .axisTitle("y", Texts.of("chart.score")).json();
    }

    /**
     * A cell of the confusion matrix shaded by its share of the row (the true label's samples): the
     * diagonal of a good model is dark, its confusions light.
     */
    public String cellStyle(List<Integer> row, int count) {
        int total = row.stream().mapToInt(Integer::intValue).sum();
        double share = total == 0 ? 0 : (double) count / total;
        return String.format(java.util.Locale.ROOT, "background-color: rgba(37, 99, 235, %.2f);%s", share,
                share > 0.55 ? " color: #fff;" : "");
    }

    /** The sites whose updates went into a version (those of the round that made it, not excluded). */
    public String sitesOf(Views.ModelVersionView version) {
        if (version.round() == null || getSelected() == null) {
            return Texts.of("registry.initialState");
        }
        return getSelected().rounds().stream().filter(r -> r.number() == version.round()).findFirst()
                .map(r -> String.join(", ", r.receipts().stream().filter(u -> u.excludedReason() == null).map(Views.ReceiptView::site).sorted().toList()))
                .orElse("");
    }

    /** The enterprises whose data a version contains, as the page lists them. */
    /** The mark of a version that contains a withdrawn enterprise: "withdrawn (withdrawal 3)". */
    public String withdrawnMark(Views.ModelVersionView version) {
        return org.civitas.web.portal.Texts.of("registry.withdrawn", version.withdrawals().stream()
                .map(id -> org.civitas.web.portal.Texts.of("col.withdrawal").toLowerCase(java.util.Locale.ROOT) + " " + id).toList()
                .stream().reduce((a, b) -> a + ", " + b).orElse(""));
    }

    /** Where the selected federation stands in its line: a rebuild of another, or superseded by one; empty otherwise. */
    public String getLineNote() {
        Views.FederationView f = getSelected();
        if (f == null || f.line() == null) {
            return "";
        }
        Views.LineView line = f.line();
        if (line.rebuildOf() != null) {
            return org.civitas.web.portal.Texts.of("registry.rebuildOf", line.rebuildOf(), line.startVersion(),
                    String.join(", ", line.excludedEnterprises()), line.withdrawal());
        }
        if (!line.supersededBy().isEmpty()) {
            return org.civitas.web.portal.Texts.of("registry.supersededBy", line.supersededBy().stream().map(String::valueOf)
                    .reduce((a, b) -> a + ", " + b).orElse(""));
        }
        return "";
    }

    public String joined(List<String> enterprises) {
        return String.join(", ", enterprises);
    }

    /** Per version: the round's loss and the version's test-split macro-F1 where it was evaluated. */
    public Map<String, String> metricsOf(Views.ModelVersionView version) {
        Map<String, String> out = new TreeMap<>();
        if (version.evaluation() != null) {
            out.put(Texts.of("registry.metric.testF1"), String.format(java.util.Locale.ROOT, "%.3f", version.evaluation().macroF1()));
            out.put(Texts.of("registry.metric.testAccuracy"), String.format(java.util.Locale.ROOT, "%.3f", version.evaluation().accuracy()));
        }
        if (version.round() != null && getSelected() != null) {
            getSelected().rounds().stream().filter(r -> r.number() == version.round() && r.loss() != null).findFirst()
                    .ifPresent(r -> out.put(Texts.of("registry.metric.trainingLoss"), String.format(java.util.Locale.ROOT, "%.4f", r.loss())));
        }
        return out;
    }

    public Long getFederation() {
        return federation;
    }

    public void setFederation(Long federation) {
        this.federation = federation;
    }
}
