package org.civitas.federation.site;

import jakarta.ejb.EJB;
import jakarta.ejb.Local;
import jakarta.ejb.Stateless;
import jakarta.ejb.TransactionAttribute;
import jakarta.ejb.TransactionAttributeType;
import jakarta.inject.Inject;
import jakarta.json.Json;
import jakarta.json.JsonArrayBuilder;
import jakarta.json.JsonObject;
import jakarta.json.JsonObjectBuilder;
import jakarta.json.JsonReader;
import org.civitas.batch.scoring.BatchScoringSteps;
import org.civitas.batch.scoring.ScoredLine;
import org.civitas.domain.scoring.ScoringRun;
import org.civitas.federation.core.dataset.ManifestFormat;
import org.civitas.federation.core.dataset.Sample;
import org.civitas.federation.core.evaluation.ConfusionMatrix;
import org.civitas.federation.core.evaluation.ScoringTally;
import org.civitas.federation.core.model.manifest.ModelManifest;
import org.civitas.federation.core.worker.WorkerRequest;
import org.civitas.federation.core.worker.WorkerResult;
import org.civitas.federation.infrastructure.WorkFolders;
import org.civitas.federation.infrastructure.worker.ModelWorker;
import org.civitas.federation.protocol.ReleasedModel;

import java.io.BufferedReader;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.StringReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;

/**
 * The steps of the {@code batch-scoring} job, which its batch artifacts look up as {@link
 * BatchScoringSteps}; {@link BatchScoringService} starts and shows the runs.
 *
 * <p>Every chunk asks whether the version is still released (the site's list is a few seconds
 * old at most), so a withdrawn version stops scoring within a chunk or two. No step holds a
 * transaction while the model worker works: the worker may be busy training for longer than any
 * transaction may last.
 */
@Stateless
@Local(BatchScoringSteps.class)
@TransactionAttribute(TransactionAttributeType.NOT_SUPPORTED)
public class BatchScoringJobSteps implements BatchScoringSteps {

    /** The top labels each line's prediction lists. */
    static final int TOP = 3;

    @EJB
    ScoringRuns runs;

    @Inject
    HostedSites hostedSites;

    @Inject
    ReleasedModels releasedModels;

    @Inject
    ModelManifestFiles manifestFiles;

    @EJB
    ModelWorker worker;

    @Override
    public String manifestPath(long runId) {
        ScoringRun run = runs.get(runId);
        return hostedSites.existingManifest(run.getSiteCode(), run.getManifest()).toString();
    }

    @Override
    public int lineCount(long runId) {
        try (var lines = Files.lines(Path.of(manifestPath(runId)), StandardCharsets.UTF_8)) {
            return (int) lines.count();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public int shardLines(long runId) {
        return runs.get(runId).getShardLines();
    }

    @Override
    public String partPath(long runId, int partition) {
        return workFolder(runs.get(runId)).resolve("part-" + partition + ".jsonl").toString();
    }

    private Path workFolder(ScoringRun run) {
        return hostedSites.identity(run.getSiteCode()).home().resolve("work").resolve("scoring-" + run.getId());
    }

    @Override
    public List<String> score(long runId, List<ScoredLine> lines) {
        ScoringRun run = runs.get(runId);
        SiteIdentity site = hostedSites.identity(run.getSiteCode());
        java.util.Optional<ReleasedModel> released;
        try {
            released = releasedModels.find(site, run.getModelSha256());
        } catch (RuntimeException e) {
            throw fail(runId, "cannot ask the coordinator whether model version " + run.getModelSha256() + " is still released: "
                    + e.getMessage());
        }
        ReleasedModel version = released.orElseThrow(() -> fail(runId,
                "model version " + run.getModelSha256() + " is no longer released; scoring stopped"));
        Path modelManifestFile = manifestFiles.file(site, run.getManifestSha256());
        ModelManifest model = manifestFiles.read(modelManifestFile);
        Path folder = hostedSites.existingManifest(site.code(), run.getManifest()).getParent();
        List<Sample> samples = new ArrayList<>();
        List<WorkerRequest.Input> inputs = new ArrayList<>();
        for (ScoredLine line : lines) {
            Sample sample;
            try {
                sample = ManifestFormat.read(line.text());
            } catch (IllegalArgumentException e) {
                throw fail(runId, "line " + line.line() + ": " + e.getMessage());
            }
            String text = model.text() != null && sample.hasText() ? sample.text() : null;
            String image = model.image() != null && sample.hasImage() ? image(runId, site, folder, line.line(), sample.image()) : null;
            if (text == null && image == null) {
                throw fail(runId, "line " + line.line() + " (" + sample.id() + "): nothing the model reads (it reads "
                        + (model.image() == null ? "text" : model.text() == null ? "images" : "text and images") + ")");
            }
            samples.add(sample);
            inputs.add(new WorkerRequest.Input(text, image));
        }
        WorkerResult.Predicted predicted = worker.request(new WorkerRequest.Predict(modelManifestFile.toString(),
                releasedModels.state(site, version).toString(), inputs), (step, steps, loss) -> { }).result();
        List<String> out = new ArrayList<>();
        for (int i = 0; i < lines.size(); i++) {
            out.add(line(lines.get(i).line(), samples.get(i), model.labels(), predicted.probabilities().get(i)));
        }
        return out;
    }

    /** The image's path inside the manifest's folder, which must hold it as a real file of the site. */
    private String image(long runId, SiteIdentity site, Path folder, int line, String relative) {
        Path image = folder.resolve(relative).normalize();
        if (!image.startsWith(folder)) {
            throw fail(runId, "line " + line + ": image '" + relative + "' leaves the manifest's folder");
        }
        if (!Files.isRegularFile(image)) {
            throw fail(runId, "line " + line + ": image '" + relative + "' is not in the manifest's folder");
        }
        Path real = site.realPathInSite(image);
        if (real == null || !real.startsWith(folder)) {
            throw fail(runId, "line " + line + ": image '" + relative + "' leads out of the manifest's folder through a symbolic link");
        }
        return real.toString();
    }

    private RuntimeException fail(long runId, String reason) {
        runs.problem(runId, reason);
        return new IllegalStateException(reason);
    }

    /** One prediction as a JSON line: where it comes from, the line's own label if it has one, the top labels and every probability. */
    static String line(int number, Sample sample, List<String> labels, float[] p) {
        Integer[] order = new Integer[labels.size()];
        for (int c = 0; c < order.length; c++) {
            order[c] = c;
        }
        java.util.Arrays.sort(order, Comparator.comparingDouble((Integer c) -> p[c]).reversed());
        JsonArrayBuilder top = Json.createArrayBuilder();
        for (int k = 0; k < Math.min(TOP, order.length); k++) {
            top.add(Json.createObjectBuilder().add("label", labels.get(order[k])).add("probability", (double) p[order[k]]));
        }
        JsonObjectBuilder probabilities = Json.createObjectBuilder();
        for (int c = 0; c < labels.size(); c++) {
            probabilities.add(labels.get(c), (double) p[c]);
        }
        JsonObjectBuilder o = Json.createObjectBuilder().add("line", number);
        if (sample.id() != null) {
            o.add("id", sample.id());
        }
        if (sample.label() != null) {
            o.add("label", sample.label());
        }
        return o.add("predicted", labels.get(order[0])).add("top", top).add("probabilities", probabilities).build().toString();
    }

    @Override
    public void progress(long runId, int partition, int lines) {
        runs.progress(runId, partition, lines);
    }

    @Override
    public String summarise(long runId) {
        ScoringRun run = runs.get(runId);
        SiteIdentity site = hostedSites.identity(run.getSiteCode());
        Path manifest = hostedSites.existingManifest(site.code(), run.getManifest());
        String stem = manifest.getFileName().toString().replaceFirst("\\.jsonl$", "");
        String outputName = stem + ".scored-" + runId + ".jsonl";
        Path output = manifest.resolveSibling(outputName);
        Path summaryFile = manifest.resolveSibling(stem + ".scored-" + runId + ".summary.json");
        ModelManifest model = manifestFiles.read(manifestFiles.file(site, run.getManifestSha256()));
        ScoringTally tally = new ScoringTally(model.labels());
        int partitions = Math.max(1, (lineCount(runId) + run.getShardLines() - 1) / run.getShardLines());
        Path partial = output.resolveSibling(outputName + ".partial");
        try (BufferedWriter out = Files.newBufferedWriter(partial, StandardCharsets.UTF_8)) {
            for (int p = 0; p < partitions; p++) {
                try (BufferedReader in = Files.newBufferedReader(Path.of(partPath(runId, p)), StandardCharsets.UTF_8)) {
                    for (String line = in.readLine(); line != null; line = in.readLine()) {
                        try (JsonReader reader = Json.createReader(new StringReader(line))) {
                            JsonObject o = reader.readObject();
                            tally.add(o.getString("predicted"), o.getString("label", null));
                        }
                        out.write(line);
                        out.write('\n');
                    }
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot join the predictions of scoring run " + runId, e);
        }
        if (tally.lines() != run.getTotalLines()) {
            throw fail(runId, "the partitions wrote " + tally.lines() + " predictions for " + run.getTotalLines() + " lines");
        }
        JsonObject summary = summary(run, tally);
        try {
            Files.move(partial, output, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            Files.writeString(summaryFile, summary.toString(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the predictions of scoring run " + runId + " beside its manifest", e);
        }
        String text = String.format(Locale.ROOT, "%d lines scored into %s%s", tally.lines(), outputName,
                tally.confusion().map(m -> String.format(Locale.ROOT, "; %d labelled: accuracy %.3f, macro-F1 %.3f",
                        tally.labelled(), m.accuracy(), m.macroF1())).orElse(""));
        runs.completed(runId, Path.of(run.getManifest()).resolveSibling(outputName).toString(), summary.toString(), text);
        WorkFolders.deleteQuietly(workFolder(run));
        return text;
    }

    /** The summary the run keeps and writes beside its predictions. */
    static JsonObject summary(ScoringRun run, ScoringTally tally) {
        JsonObjectBuilder counts = Json.createObjectBuilder();
        tally.predictedCounts().forEach(counts::add);
        JsonObjectBuilder s = Json.createObjectBuilder().add("model", run.getModelSha256()).add("federation", run.getFederationId())
                .add("version", run.getModelVersion()).add("manifest", run.getManifest()).add("lines", tally.lines())
                .add("predicted", counts).add("labelled", tally.labelled()).add("unknownLabels", tally.unknownLabels());
        tally.confusion().ifPresent(m -> {
            s.add("accuracy", m.accuracy()).add("macroF1", m.macroF1());
            JsonArrayBuilder perLabel = Json.createArrayBuilder();
            for (ConfusionMatrix.LabelMetrics l : m.perLabel()) {
                perLabel.add(Json.createObjectBuilder().add("label", l.label()).add("precision", l.precision()).add("recall", l.recall())
                        .add("f1", l.f1()).add("support", l.support()));
            }
            s.add("perLabel", perLabel);
            // Labels squared counts: past a hundred labels the matrix is left out, as in the registry.
            if (m.labels().size() <= 100) {
                JsonArrayBuilder rows = Json.createArrayBuilder();
                for (List<Integer> row : m.counts()) {
                    JsonArrayBuilder r = Json.createArrayBuilder();
                    row.forEach(r::add);
                    rows.add(r);
                }
                JsonArrayBuilder labels = Json.createArrayBuilder();
                m.labels().forEach(labels::add);
                s.add("confusion", Json.createObjectBuilder().add("labels", labels).add("counts", rows));
            }
        });
        return s.build();
    }

    @Override
    public void jobEnded(long runId, String batchStatus) {
        if ("COMPLETED".equals(batchStatus)) {
            return;
        }
        if ("STOPPED".equals(batchStatus) && runs.get(runId).getStatus() == ScoringRun.Status.PAUSED) {
            return; // its window closed; it resumes in the next
        }
        runs.failed(runId, "the batch-scoring job ended " + batchStatus);
    }
}
