package org.civitas.federation.site;


import jakarta.ejb.EJB;
import jakarta.ejb.Local;
import jakarta.ejb.Stateless;
import jakarta.ejb.TransactionAttribute;
import jakarta.ejb.TransactionAttributeType;
import jakarta.inject.Inject;
import org.civitas.batch.finetune.LocalFineTuneSteps;
import org.civitas.domain.participant.LocalTrainingRun;
import org.civitas.federation.common.ModelCatalog;
import org.civitas.federation.protocol.RoundTask;
import org.civitas.federation.protocol.UpdateMetadata;
import org.civitas.federation.core.aggregation.FedProx;
import org.civitas.federation.core.aggregation.ModalityAwareAvg;
import org.civitas.federation.core.model.manifest.MultimodalWeights;
import org.civitas.federation.core.aggregation.FfaLora;
import org.civitas.federation.core.aggregation.LoraStacking;
import org.civitas.federation.core.aggregation.LoraTensors;
import org.civitas.federation.core.privacy.DifferentialPrivacy;
import org.civitas.federation.core.privacy.UpdatePrivacy;
import org.civitas.federation.core.model.TrainingConfig;
import org.civitas.federation.core.model.TrainingResult;
import org.civitas.federation.core.tensor.NamedTensors;
import org.civitas.federation.infrastructure.worker.ModelWorker;
import org.civitas.federation.core.tensor.SafeTensors;
import org.civitas.federation.infrastructure.BlobStore;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.nio.file.StandardCopyOption;
import java.util.Locale;
import java.util.Map;
import java.util.function.Supplier;
import java.time.Clock;
import org.civitas.federation.core.worker.WorkerRequest;
import org.civitas.federation.core.worker.WorkerResult;

/**
 * The work behind the {@code local-finetune} job: train on the site's own data from the round's
 * global state, keep the update in the site's outbox, then upload it. Only the update and three
 * numbers (sample count, losses) leave the site.
 */
@Stateless
@Local(LocalFineTuneSteps.class)
@TransactionAttribute(TransactionAttributeType.NOT_SUPPORTED)
public class LocalFineTuneService implements LocalFineTuneSteps {

    @Inject
    Clock clock;

    @Inject
    HostedSites hostedSites;

    @Inject
    CoordinatorClient coordinator;

    @EJB
    TrainingRuns runs;

    @EJB
    ModelWorker worker;

    @EJB
    DataQualityService dataQuality;

    /** A local training's result, with the global model's accuracy on the site's data when it was measured. */
    private record Trained(TrainingResult result, Double globalAccuracy, Double heldoutMacroF1) {
    }

    private static final java.util.logging.Logger LOG = java.util.logging.Logger.getLogger(LocalFineTuneService.class.getName());

    @Inject
    org.civitas.federation.infrastructure.CivitasMetrics metrics;

    @jakarta.ejb.EJB
    SiteDatasetService siteDatasets;

    @Inject
    ModelManifestFiles manifestFiles;

    @Inject
    org.civitas.federation.infrastructure.CivitasSettings settings;

    @Override
    public String train(long runId, long executionId) {
        return recordingFailure(runId, executionId, () -> {
            LocalTrainingRun run = runs.get(runId);
            SiteIdentity site = hostedSites.identity(run.getSiteCode());
            RoundTask task = coordinator.task(site, run.getFederationId(), run.getRoundNumber());
            byte[] state = coordinator.globalState(site, run.getFederationId(), run.getRoundNumber());
            if (!BlobStore.sha256(state).equals(task.stateSha256())) {
                throw new IllegalStateException("global state of round " + task.round() + " does not match its announced hash");
            }
            NamedTensors global = SafeTensors.read(state).tensors();
            long trainingStart = System.nanoTime();
            Trained trained = ModelCatalog.isMultimodal(task.modelKind())
                    ? trainInWorker(runId, executionId, site, run, task, state)
                    : new Trained(ModelCatalog.trainer(task.modelKind(), task.featureCount(), task.classCount())
                    .train(global, hostedSites.trainingData(site, task.classCount()), new TrainingConfig(task.localEpochs(),
                            task.learningRate(), task.batchSize(), task.seed(), task.extra().getOrDefault(FedProx.PROXIMAL_MU, 0.0),
                            task.extra().getOrDefault(FfaLora.FREEZE_LORA_A, 0.0) == 1.0,
                            task.extra().getOrDefault(LoraStacking.HETEROGENEOUS_RANKS, 0.0) == 1.0 ? hostedSites.loraRank(site.code()) : 0)), null, null);
            TrainingResult result = trained.result();
            if (!Double.isFinite(result.trainLoss()) || !Double.isFinite(result.globalLoss())) {
                // Nothing non-finite leaves the site: the protocol's JSON cannot carry it, and the coordinator would refuse it.
                throw new IllegalStateException(String.format(Locale.ROOT, "local training produced a non-finite loss (train %s, global"
                        + " %s): the update is not sent", result.trainLoss(), result.globalLoss()));
            }
            NamedTensors update = result.delta();
            Double clipNorm = task.extra().get(DifferentialPrivacy.CLIP_NORM);
            if (clipNorm != null) {
                // Client-level DP: the update is clipped before it leaves, and noised here when the noise is split across sites.
                Double siteNoise = task.extra().get(DifferentialPrivacy.SITE_NOISE_MULTIPLIER);
                update = siteNoise == null ? UpdatePrivacy.clip(update, clipNorm)
                        : UpdatePrivacy.privatise(update, clipNorm, siteNoise, task.extra().get(DifferentialPrivacy.NOISE_SHARES).intValue());
            }
            Map<String, String> outboxMeta = new java.util.HashMap<>(Map.of(
                    "sampleCount", Long.toString(result.sampleCount()),
                    "trainLoss", Double.toString(result.trainLoss()),
                    "globalLoss", Double.toString(result.globalLoss())));
            if (trained.globalAccuracy() != null) {
                outboxMeta.put("globalAccuracy", Double.toString(trained.globalAccuracy()));
            }
            if (trained.heldoutMacroF1() != null) {
                outboxMeta.put("heldoutMacroF1", Double.toString(trained.heldoutMacroF1()));
            }
            writeOutbox(outboxFile(site, run), SafeTensors.write(update, outboxMeta));
            metrics.localTraining(site.code(), task.modelKind(), java.time.Duration.ofNanos(System.nanoTime() - trainingStart));
            String summary = String.format(Locale.ROOT, "trained on %d samples: global loss %.4f, train loss %.4f",
                    result.sampleCount(), result.globalLoss(), result.trainLoss());
            runs.trained(runId, summary);
            return summary;
        });
    }

    /**
     * Trains a multimodal model in the model worker on the site's dataset: the global state goes
     * in as a file, the update comes back as one, and the worker's progress is recorded on the run.
     */
    private Trained trainInWorker(long runId, long executionId, SiteIdentity site, LocalTrainingRun run, RoundTask task, byte[] state) {
        Path work = site.home().resolve("work");
        Path stateFile = work.resolve("federation-" + run.getFederationId() + "-round-" + run.getRoundNumber() + "-global.safetensors");
        Path updateFile = work.resolve("federation-" + run.getFederationId() + "-round-" + run.getRoundNumber() + "-update.safetensors");
        // The plan's model, fetched by hash and checked before the worker runs it.
        Path manifestFile = manifestFiles.file(site, task.manifestSha256());
        // Under LoRA stacking a site of a lower rank trains the first components of each adapter only: it starts from the
        // global state with the others at zero, where they stay, and sends its own rank's factors (LoraTensors.atRank).
        int rank = task.extra().getOrDefault(LoraStacking.HETEROGENEOUS_RANKS, 0.0) == 1.0 ? hostedSites.loraRank(site.code()) : 0;
        boolean lowerRank = rank > 0 && rank < manifestFiles.read(manifestFile).adapter().rank();
        writeOutbox(stateFile, lowerRank ? SafeTensors.write(LoraTensors.atRank(SafeTensors.read(state).tensors(), rank)) : state);
        Path dataset = pinnedManifest(runId, site, run, task, manifestFile);
        WorkerRequest.Hyper hyper = new WorkerRequest.Hyper(task.localEpochs(), task.learningRate(), task.batchSize(), task.seed(),
                task.extra().getOrDefault(FedProx.PROXIMAL_MU, 0.0).doubleValue(),
                task.extra().getOrDefault(FfaLora.FREEZE_LORA_A, 0.0) == 1.0 ? Boolean.TRUE : null);
        long start = System.nanoTime();
        // A restarted job resumes after the last epoch the worker checkpointed for this round.
        Path checkpoint = work.resolve("federation-" + run.getFederationId() + "-round-" + run.getRoundNumber() + "-checkpoint.safetensors");
        Path heldout = dataset.resolveSibling("heldout.jsonl");
        LOG.fine(() -> "Site " + site.code() + " trains on " + dataset.getFileName());
        // With a held-out split, the received global model is judged on data the site never trains on.
        WorkerRequest.Train request = new WorkerRequest.Train(manifestFile.toString(), dataset.toString(), stateFile.toString(), updateFile.toString(), hyper,
                checkpoint.toString(), Files.exists(heldout) ? heldout.toString() : null);
        ModelWorker.Answer<WorkerResult.Trained> answer = worker.request(workerOwner(runId, executionId), request,
                (step, steps, loss) -> runs.progress(runId,
                        String.format(Locale.ROOT, "training in the model worker: step %d of %d, loss %.4f", step, steps, loss)));
        double seconds = (System.nanoTime() - start) / 1e9;
        WorkerResult.Trained trained = answer.result();
        try {
            NamedTensors update = SafeTensors.read(Files.readAllBytes(updateFile)).tensors();
            List<String> mismatches = MultimodalWeights.mismatches(manifestFiles.read(manifestFile), update);
            if (!mismatches.isEmpty()) {
                // The worker, or an external trainer in its place, answered tensors of another model: nothing leaves the site.
                throw new IllegalStateException("the trainer's update is not the plan's model (" + String.join("; ", mismatches)
                        + "): it is not sent");
            }
            if (lowerRank) {
                update = LoraTensors.toRank(update, rank);
            }
            if (ModalityAwareAvg.NAME.equals(task.strategy())) {
                // A tower none of this site's samples could train stays out of its update, so the rule averages
                // that tower over the sites that did train it instead of pulling it back towards where it was.
                update = MultimodalWeights.withoutUntrainedTowers(update, trained.modalitySamples());
            }
            Files.deleteIfExists(stateFile);
            Files.deleteIfExists(updateFile);
            LOG.info(() -> String.format(Locale.ROOT, "Site %s round %d: worker training %.2f s (worker start %.2f s, in-worker %.2f s)",
                    site.code(), run.getRoundNumber(), seconds, answer.workerStartup().toMillis() / 1e3, trained.metrics().seconds()));
            return new Trained(new TrainingResult(update, trained.samples(), trained.metrics().trainLoss(), trained.metrics().globalLoss()),
                    trained.metrics().globalAccuracy(), trained.heldout() == null ? null : trained.heldout().macroF1());
        } catch (IOException e) {
            throw new UncheckedIOException("the model worker's update cannot be read", e);
        }
    }

    /**
     * The manifest this round trains on. The federation's first trained round chooses it (the curated
     * manifest of the site's newest completed data-quality run on that dataset version, or the raw
     * one) and records it with the SHA-256 of its bytes; every later round reads the same one, so a
     * quality run that ends in the middle of a federation does not change its data. A pinned manifest
     * whose bytes changed fails the round, naming both hashes, rather than training on other data.
     */
    private Path pinnedManifest(long runId, SiteIdentity site, LocalTrainingRun run, RoundTask task, Path manifestFile) {
        TrainingManifestPin.Choice choice = TrainingManifestPin.choose(site.home(), run.getFederationId(),
                runs.pinnedManifest(site.code(), run.getFederationId()).map(p -> new TrainingManifestPin.Pin(p.getTrainingManifest(),
                        p.getManifestSha256(), p.getRoundNumber())),
                () -> pinnedDataset(site, task, manifestFile));
        runs.trainsOn(runId, choice.relative(), choice.sha256());
        return choice.manifest();
    }

    /**
     * The dataset version the plan pins for this site, found by name and content hash among the
     * site's imports and checked again: a manifest edited since its import no longer holds that
     * content, and the round fails rather than train on other data.
     */
    private Path pinnedDataset(SiteIdentity site, RoundTask task, Path manifestFile) {
        if (task.datasetSha256() == null) {
            throw new IllegalStateException("round " + task.round() + " of federation " + task.federationId() + " pins no dataset"
                    + " version for site " + site.code() + ": a multimodal plan names each site's dataset");
        }
        org.civitas.domain.participant.SiteDataset imported = siteDatasets.imported(site, task.dataset(), task.datasetSha256());
        Path raw = site.home().resolve(imported.getManifest());
        var model = manifestFiles.read(manifestFile);
        String now;
        try {
            now = org.civitas.federation.core.dataset.ManifestImporter.check(raw, new java.util.HashSet<>(model.labels()),
                    model.modalities(), true, settings.imageMaxPixels()).summary().contentSha256();
        } catch (IOException e) {
            throw new UncheckedIOException("site " + site.code() + " cannot read dataset '" + task.dataset() + "'", e);
        }
        if (!now.equals(task.datasetSha256())) {
            throw new IllegalStateException("dataset '" + task.dataset() + "' at " + imported.getManifest() + " no longer holds the content"
                    + " the plan pinned (sha256 " + task.datasetSha256() + ", now " + now + ")");
        }
        return dataQuality.trainingManifest(site, task.dataset(), imported.getManifest());
    }

    @Override
    public String upload(long runId) {
        return recordingFailure(runId, null, () -> {
            LocalTrainingRun run = runs.get(runId);
            SiteIdentity site = hostedSites.identity(run.getSiteCode());
            byte[] body;
            try {
                body = Files.readAllBytes(outboxFile(site, run));
            } catch (IOException e) {
                throw new UncheckedIOException("no trained update in the outbox of site " + site.code(), e);
            }
            Map<String, String> meta = SafeTensors.read(body).metadata();
            UpdateMetadata metadata = new UpdateMetadata(Long.parseLong(meta.get("sampleCount")),
                    Double.parseDouble(meta.get("trainLoss")), Double.parseDouble(meta.get("globalLoss")),
                    meta.containsKey("globalAccuracy") ? Double.valueOf(meta.get("globalAccuracy")) : null,
                    meta.containsKey("heldoutMacroF1") ? Double.valueOf(meta.get("heldoutMacroF1")) : null);
            String summary;
            RoundTask task = coordinator.task(site, run.getFederationId(), run.getRoundNumber());
            // The coordinator bounds the claimed sample count by the registered dataset: make sure it has it.
            siteDatasets.ensureRegistered(site, task.dataset());
            if (task.extra().containsKey(org.civitas.federation.protocol.SecureAggregationProtocol.THRESHOLD)) {
                // Only a masked update leaves the site; the coordinator learns the sum of the survivors' updates.
                summary = new SecureUpload(coordinator, site, task, text -> runs.progress(runId, text), clock)
                        .run(SafeTensors.read(body).tensors(), metadata);
                runs.uploaded(runId, summary);
                return summary;
            }
            try {
                coordinator.upload(site, run.getFederationId(), run.getRoundNumber(), metadata, body);
                summary = "uploaded " + body.length + " bytes";
            } catch (CoordinatorClient.ProtocolException e) {
                // An earlier attempt that got through but whose answer was lost: the upload is idempotent.
                if (e.status() != 409 || !e.getMessage().contains("DUPLICATE")) {
                    throw e;
                }
                summary = "already uploaded";
            }
            runs.uploaded(runId, summary);
            return summary;
        });
    }

    @Override
    public void stop(long runId, long executionId) {
        worker.interrupt(workerOwner(runId, executionId));
    }

    /**
     * Who a worker request is for: one execution of a run. A stop that arrives after the
     * execution's request has finished must not refuse the request of the execution that resumes it.
     */
    private static String workerOwner(long runId, long executionId) {
        return "run-" + runId + "/execution-" + executionId;
    }

    /**
     * Runs a step and records its failure on the run, except where the failure is not the run's:
     * a run paused at its window's end was stopped on purpose (it resumes, it did not fail), and an
     * execution that is no longer the run's current one (its stop was still unwinding while the
     * next window had already resumed the run as a new execution) fails only itself. Counting such
     * a failure made the resumed run look like a second attempt.
     */
    private String recordingFailure(long runId, Long executionId, Supplier<String> step) {
        LocalTrainingRun run = runs.get(runId);
        try (var context = org.civitas.federation.infrastructure.LogContext.of(run.getFederationId(), run.getRoundNumber(), run.getSiteCode())) {
            return step.get();
        } catch (RuntimeException e) {
            LocalTrainingRun now = runs.get(runId);
            boolean paused = now.getStatus() == org.civitas.domain.participant.LocalTrainingRun.Status.PAUSED;
            boolean superseded = executionId != null && !executionId.equals(now.getJobExecutionId());
            if (!paused && !superseded) {
                runs.failed(runId, e.getMessage());
            }
            throw e;
        }
    }

    private static Path outboxFile(SiteIdentity site, LocalTrainingRun run) {
        return site.outbox().resolve("federation-" + run.getFederationId() + "-round-" + run.getRoundNumber() + ".safetensors");
    }

    private static void writeOutbox(Path file, byte[] bytes) {
        try {
            Files.createDirectories(file.getParent());
            Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
            Files.write(tmp, bytes);
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the outbox of " + file.getParent(), e);
        }
    }
}
