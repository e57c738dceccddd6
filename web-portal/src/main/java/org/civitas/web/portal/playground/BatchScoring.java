package org.civitas.web.portal.playground;

import jakarta.ejb.EJB;
import jakarta.faces.view.ViewScoped;
import jakarta.inject.Inject;
import jakarta.inject.Named;
import jakarta.json.JsonNumber;
import jakarta.json.JsonObject;
import org.civitas.federation.common.ConflictException;
import org.civitas.federation.common.ForbiddenException;
import org.civitas.federation.common.InvalidRequestException;
import org.civitas.federation.common.NotFoundException;
import org.civitas.federation.site.BatchScoringService;
import org.civitas.web.portal.Chart;
import org.civitas.web.portal.Messages;
import org.civitas.web.portal.Texts;
import org.civitas.web.security.CurrentCaller;

import java.util.List;
import java.util.Set;

/**
 * The playground's batch scoring: the chosen site's staff score one of its manifests with a
 * released version, follow the run's progress, and see how often each label was predicted (with
 * accuracy and macro-F1 where the manifest's lines carry labels). The same service as
 * {@code POST /sites/{site}/scoring-runs}.
 */
@Named
@ViewScoped
public class BatchScoring implements java.io.Serializable {

    private static final long serialVersionUID = 1L;
    private static final Set<String> UNDER_WAY = Set.of("WAITING", "STARTED", "PAUSED");

    @EJB
    BatchScoringService scoring;

    @Inject
    Playground playground;

    @Inject
    CurrentCaller caller;

    private String version;
    private String manifest = "datasets/city-safety/train.jsonl";
    private transient List<BatchScoringService.RunView> runs;
    private transient String runsOf;

    /** The chosen site's newest runs, newest first (five at most). */
    public List<BatchScoringService.RunView> getRuns() {
        String site = playground.getSite();
        if (runs == null || !java.util.Objects.equals(site, runsOf)) {
            runs = site == null ? List.of() : scoring.runs(caller.get(), site).stream().limit(5).toList();
            runsOf = site;
        }
        return runs;
    }

    /** Whether a run is still to finish: the page then refreshes its progress every two seconds. */
    public boolean isAnyUnderWay() {
        return getRuns().stream().anyMatch(r -> UNDER_WAY.contains(r.status()));
    }

    public void poll() {
        runs = null;
    }

    public int progress(BatchScoringService.RunView run) {
        return run.totalLines() == 0 ? 0 : (int) Math.min(100, 100 * run.linesDone() / run.totalLines());
    }

    public void score() {
        try {
            BatchScoringService.RunView run = scoring.start(caller.get(), playground.getSite(),
                    new BatchScoringService.Request(version, manifest, null));
            Messages.info(Texts.of("scoring.started", run.id(), run.site()), Texts.of("scoring.started.detail", run.totalLines()));
        } catch (InvalidRequestException | NotFoundException | ForbiddenException | ConflictException e) {
            Messages.error(Texts.of("scoring.cannotStart"), e.getMessage());
        }
        runs = null;
    }

    /** How often each label was predicted, most often first. */
    public String chart(BatchScoringService.RunView run) {
        JsonObject summary = run.summary();
        if (summary == null) {
            return null;
        }
        List<java.util.Map.Entry<String, Integer>> counts = summary.getJsonObject("predicted").entrySet().stream()
                .map(e -> java.util.Map.entry(e.getKey(), ((JsonNumber) e.getValue()).intValue()))
                .sorted(java.util.Map.Entry.<String, Integer>comparingByValue().reversed()).toList();
        return Chart.bar().horizontal().withoutLegend().labels(counts.stream().map(java.util.Map.Entry::getKey).toList())
                .series(Texts.of("scoring.predictedLines"), counts.stream().map(java.util.Map.Entry::getValue).toList(), "#0f766e").json();
    }

    /** Accuracy and macro-F1 over the labelled lines, or that none carried one of the model's labels. */
    public String figures(BatchScoringService.RunView run) {
        JsonObject s = run.summary();
        if (s == null) {
            return "";
        }
        if (!s.containsKey("macroF1")) {
            return Texts.of("scoring.unlabelled");
        }
        return Texts.of("scoring.figures", s.getInt("labelled"), String.format(java.util.Locale.ROOT, "%.3f", s.getJsonNumber("accuracy")
                .doubleValue()), String.format(java.util.Locale.ROOT, "%.3f", s.getJsonNumber("macroF1").doubleValue()));
    }

    public String getVersion() {
        return version;
    }

    public void setVersion(String version) {
        this.version = version;
    }

    public String getManifest() {
        return manifest;
    }

    public void setManifest(String manifest) {
        this.manifest = manifest;
    }
}
