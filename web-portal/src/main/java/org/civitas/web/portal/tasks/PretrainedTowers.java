package org.civitas.web.portal.tasks;

import jakarta.ejb.EJB;
import jakarta.faces.view.ViewScoped;
import jakarta.inject.Named;
import org.civitas.federation.coordinator.TowerPretrainingService;
import org.civitas.web.portal.Chart;
import org.civitas.web.portal.Texts;

import java.io.Serializable;
import java.util.List;
import java.util.Locale;
import java.util.stream.IntStream;

/**
 * The tasks page's image towers pretrained at the coordinator: each run's progress while it
 * trains, then its loss curve, its held-out accuracy and the base a manifest names.
 */
@Named
@ViewScoped
public class PretrainedTowers implements Serializable {

    private static final long serialVersionUID = 1L;

    @EJB
    TowerPretrainingService pretraining;

    private transient List<TowerPretrainingService.RunView> runs;

    public List<TowerPretrainingService.RunView> getRuns() {
        if (runs == null) {
            runs = pretraining.runs();
        }
        return runs;
    }

    public List<TowerPretrainingService.PublicDatasetView> getPublicDatasets() {
        return pretraining.publicDatasets();
    }

    public boolean isAnyUnderWay() {
        return getRuns().stream().anyMatch(r -> "STARTING".equals(r.status()) || "RUNNING".equals(r.status()));
    }

    public void poll() {
        runs = null;
    }

    public int progress(TowerPretrainingService.RunView run) {
        return run.steps() == 0 ? 0 : Math.min(100, 100 * run.stepsDone() / run.steps());
    }

    /** "(270 samples, 12 labels)". */
    public String describe(TowerPretrainingService.PublicDatasetView d) {
        return Texts.of("pretraining.dataset", d.samples(), d.labels().size());
    }

    /** "40 of 120 steps (4 epochs, admin)". */
    public String stepsOf(TowerPretrainingService.RunView run) {
        return Texts.of("pretraining.stepsOf", run.stepsDone(), run.steps(), run.epochs(), run.requestedBy());
    }

    public String accuracy(TowerPretrainingService.RunView run) {
        return run.heldoutAccuracy() == null ? "" : String.format(Locale.ROOT, "%.3f", run.heldoutAccuracy());
    }

    /** The run's training loss over its steps, a point per fiftieth of the run. */
    public String lossChart(TowerPretrainingService.RunView run) {
        List<Double> loss = run.loss();
        return Chart.line()
                .labels(IntStream.range(0, loss.size()).mapToObj(i -> Integer.toString((i + 1) * 100 / loss.size()) + "%").toList())
                .series(Texts.of("pretraining.loss"), loss, "#2563eb")
                .axisTitle("x", Texts.of("pretraining.through")).axisTitle("y", Texts.of("chart.crossEntropy"))
                .json();
    }
}
