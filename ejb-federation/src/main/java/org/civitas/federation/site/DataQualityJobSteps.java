package org.civitas.federation.site;

import jakarta.ejb.EJB;
import jakarta.ejb.Local;
import jakarta.ejb.Stateless;
import jakarta.ejb.TransactionAttribute;
import jakarta.ejb.TransactionAttributeType;
import jakarta.inject.Inject;
import org.civitas.batch.quality.DataQualitySteps;
import org.civitas.domain.quality.QualityFinding;
import org.civitas.domain.quality.QualityItem;
import org.civitas.domain.quality.QualityRun;
import org.civitas.federation.common.AuditService;
import org.civitas.federation.common.TransactionRunner;
import org.civitas.federation.core.dataset.ManifestFormat;
import org.civitas.federation.core.dataset.Taxonomy;
import org.civitas.federation.core.quality.Finding;
import org.civitas.federation.core.quality.ItemFeatures;
import org.civitas.federation.core.quality.ItemFeaturesCodec;
import org.civitas.federation.core.quality.ItemInspector;
import org.civitas.federation.core.quality.PiiScanner;
import org.civitas.federation.core.quality.QualityAnalysis;
import org.civitas.federation.core.quality.QualityThresholds;
import org.civitas.federation.infrastructure.CivitasSettings;
import org.civitas.infrastructure.persistence.QualityRepository;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The steps of the {@code data-quality} job, which its batch artifacts look up as {@link
 * DataQualitySteps}: inspect each line, embed the texts, analyse the items, write the curated
 * manifest and send the aggregate report to the coordinator. {@link DataQualityService} starts
 * and shows the runs.
 *
 * <p>No step holds a transaction while it waits. The chunk transaction of the inspect step holds
 * only the batch repository's checkpoint: on Payara that repository's connection is XA and the
 * Civitas pool's is not, and with both in one chunk transaction commits failed under load
 * ("Cannot commit when autoCommit is enabled"). So the steps run outside it (their reads in short
 * transactions of their own), and the items are written in a transaction of their own that
 * updates the chunk's lines in place: a chunk repeated after a failure between the two commits
 * rewrites the same rows. The texts are embedded in a step of their own, with no transaction,
 * because the one model worker may be training for longer than any chunk transaction may last.
 */
@Stateless
@Local(DataQualitySteps.class)
public class DataQualityJobSteps implements DataQualitySteps {

    static final PiiScanner PII = PiiScanner.withDefaultNames();

    @Inject
    org.civitas.infrastructure.persistence.SiteDatasetRepository imports;

    @Inject
    Clock clock;

    @EJB
    QualityRuns runs;

    @Inject
    QualityRepository quality;

    @Inject
    HostedSites hostedSites;

    @Inject
    CoordinatorClient coordinator;

    @Inject
    QualityTextEmbedder embedder;

    @EJB
    AuditService audit;

    @EJB
    TransactionRunner transactions;

    @Inject
    CivitasSettings settings;

    private final CuratedManifestWriter curated = new CuratedManifestWriter(PII);

    @Override
    @TransactionAttribute(TransactionAttributeType.NOT_SUPPORTED)
    public String manifestPath(long runId) {
        QualityRun run = runs.get(runId);
        return hostedSites.existingManifest(run.getSiteCode(), run.getManifest()).toString();
    }

    @Override
    @TransactionAttribute(TransactionAttributeType.NOT_SUPPORTED)
    public int lineCount(long runId) {
        try (var lines = Files.lines(Path.of(manifestPath(runId)), StandardCharsets.UTF_8)) {
            return (int) lines.count();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    @TransactionAttribute(TransactionAttributeType.NOT_SUPPORTED)
    public Object inspect(long runId, int line, String text) {
        if (text.isBlank()) {
            return null;
        }
        QualityRun run = runs.get(runId);
        Path manifest = hostedSites.existingManifest(run.getSiteCode(), run.getManifest());
        // The labels of the dataset's task; a run from before datasets named their task checks the built-in ones.
        Set<String> labels = Set.copyOf(run.getLabels().isEmpty() ? Taxonomy.LABELS : run.getLabels());
        try {
            return new ItemInspector(manifest.getParent(), labels, PII, settings.imageMaxPixels()).inspect(line, text);
        } catch (ItemInspector.MalformedLineException e) {
            // The whole manifest is malformed: the run fails with the line, and no report is made.
            runs.problem(runId, "malformed manifest: " + e.getMessage());
            throw e;
        }
    }

    @Override
    @TransactionAttribute(TransactionAttributeType.NOT_SUPPORTED)
    public void store(long runId, List<Object> items) {
        runs.storeItems(runId, items.stream().map(ItemFeatures.class::cast)
                .map(f -> new QualityItem(runId, f.line(), ItemFeaturesCodec.encode(f))).toList());
    }

    @Override
    @TransactionAttribute(TransactionAttributeType.NOT_SUPPORTED)
    public int embed(long runId) {
        Map<Integer, ItemFeatures> pending = new java.util.TreeMap<>();
        for (QualityItem item : runs.items(runId)) {
            ItemFeatures f = ItemFeaturesCodec.decode(item.getFeatures());
            if (f.hasText() && f.schemaProblem() == null && f.textEmbedding() == null) {
                pending.put(f.line(), f);
            }
        }
        if (pending.isEmpty()) {
            return 0;
        }
        List<ItemFeatures> batch = new ArrayList<>();
        List<String> texts = new ArrayList<>();
        try (var lines = Files.lines(Path.of(manifestPath(runId)), StandardCharsets.UTF_8)) {
            int number = 0;
            for (String text : (Iterable<String>) lines::iterator) {
                ItemFeatures f = pending.get(++number);
                if (f == null) {
                    continue;
                }
                batch.add(f);
                texts.add(ManifestFormat.read(text).text());
                if (batch.size() == QualityTextEmbedder.BATCH) {
                    storeEmbedded(runId, batch, texts);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        storeEmbedded(runId, batch, texts);
        return pending.size();
    }

    /** Embeds the texts of a batch of items, stores the items with their embeddings, and empties the batch. */
    private void storeEmbedded(long runId, List<ItemFeatures> batch, List<String> texts) {
        if (batch.isEmpty()) {
            return;
        }
        List<float[]> vectors = embedder.embed(texts);
        List<QualityItem> rows = new ArrayList<>();
        for (int i = 0; i < batch.size(); i++) {
            ItemFeatures f = batch.get(i).withTextEmbedding(vectors.get(i));
            rows.add(new QualityItem(runId, f.line(), ItemFeaturesCodec.encode(f)));
        }
        runs.storeItems(runId, rows);
        batch.clear();
        texts.clear();
    }

    /** What the analysis stored, to send and to complete the run with. */
    private record Analysed(String site, String dataset, String requestedBy, String reportJson, String curated,
                            org.civitas.federation.core.quality.QualityReport report, String contentSha256) {
    }

    @Override
    @TransactionAttribute(TransactionAttributeType.NOT_SUPPORTED)
    public String analyse(long runId) {
        // Three steps, so that no transaction is open while the report travels to the coordinator
        // (which may be this very server, answering on another thread).
        Analysed a = transactions.once(() -> {
            QualityRun run = quality.find(runId).orElseThrow();
            List<ItemFeatures> items = new ArrayList<>();
            for (QualityItem item : quality.items(runId)) {
                items.add(ItemFeaturesCodec.decode(item.getFeatures()));
            }
            if (items.size() != run.getTotalItems()) {
                throw new IllegalStateException("quality run " + runId + " measured " + items.size() + " of " + run.getTotalItems() + " items");
            }
            QualityThresholds thresholds = QualityJson.read(run.getThresholdsJson(), QualityThresholds.class);
            QualityAnalysis.Outcome outcome = QualityAnalysis.analyse(items, thresholds, run.getModalities());
            quality.deleteFindings(runId);
            for (Finding f : outcome.findings()) {
                quality.addFinding(new QualityFinding(runId, f.line(), f.id(), f.check().key(), f.score(), f.reason(), f.relatedId()));
            }
            return new Analysed(run.getSiteCode(), run.getDatasetName(), run.getRequestedBy(), QualityJson.write(outcome.report()),
                    curated.write(hostedSites.existingManifest(run.getSiteCode(), run.getManifest()), runId, outcome,
                            hostedSites.identity(run.getSiteCode()).home()), outcome.report(),
                    imports.ofManifest(run.getSiteCode(), run.getDatasetName(), java.nio.file.Path.of(run.getManifest()).normalize().toString())
                            .map(org.civitas.domain.participant.SiteDataset::getContentSha256).orElse(null));
        });
        String sent;
        try {
            // With the content hash of the version checked, so a plan can require a report on exactly the version it pins.
            coordinator.sendQualityReport(hostedSites.identity(a.site()), a.dataset(), a.reportJson(), a.contentSha256());
            sent = "report sent to the coordinator";
        } catch (RuntimeException e) {
            // The findings and the curated manifest are the site's own; the coordinator may learn the aggregates later.
            sent = "report kept at the site: " + e.getMessage();
        }
        String summary = String.format(Locale.ROOT, "%d items: %d left out, %d redacted, %d curated; %s", a.report().items(),
                a.report().flaggedItems(), a.report().redactedItems(), a.report().curatedItems(), sent);
        transactions.once(() -> {
            quality.find(runId).orElseThrow().completed(a.reportJson(), a.curated(), clock.instant());
            audit.record(a.requestedBy(), "dataset.quality.completed", "site " + a.site() + " dataset " + a.dataset(), summary);
            return null;
        });
        return summary;
    }

    @Override
    @TransactionAttribute(TransactionAttributeType.NOT_SUPPORTED)
    public void jobEnded(long runId, String batchStatus) {
        if (!"COMPLETED".equals(batchStatus)) {
            runs.failed(runId, "the data-quality job ended " + batchStatus);
        }
    }
}
