package org.civitas.federation.participant;

import jakarta.ejb.EJB;
import jakarta.ejb.Local;
import jakarta.ejb.Stateless;
import jakarta.ejb.TransactionAttribute;
import jakarta.ejb.TransactionAttributeType;
import jakarta.inject.Inject;
import org.civitas.batch.finetune.LocalFineTuneSteps;
import org.civitas.domain.participant.LocalTrainingRun;
import org.civitas.federation.application.ModelCatalog;
import org.civitas.federation.application.RoundTask;
import org.civitas.federation.application.UpdateMetadata;
import org.civitas.federation.core.aggregation.FedProx;
import org.civitas.federation.core.aggregation.FfaLora;
import org.civitas.federation.core.aggregation.LoraStacking;
import org.civitas.federation.core.model.LabeledFeatures;
import org.civitas.federation.core.privacy.DifferentialPrivacy;
import org.civitas.federation.core.privacy.UpdatePrivacy;
import org.civitas.federation.core.model.TrainingConfig;
import org.civitas.federation.core.model.TrainingResult;
import org.civitas.federation.core.tensor.NamedTensors;
import org.civitas.federation.core.tensor.SafeTensors;
import org.civitas.federation.infrastructure.BlobStore;
import org.civitas.federation.infrastructure.CoordinatorClient;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Locale;
import java.util.Map;
import java.util.function.Supplier;

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
    HostedSites hostedSites;

    @Inject
    CoordinatorClient coordinator;

    @EJB
    TrainingRuns runs;

    @Override
    public String train(long runId) {
        return recordingFailure(runId, () -> {
            LocalTrainingRun run = runs.get(runId);
            SiteIdentity site = hostedSites.identity(run.getSiteCode());
            RoundTask task = coordinator.task(site, run.getFederationId(), run.getRoundNumber());
            byte[] state = coordinator.globalState(site, run.getFederationId(), run.getRoundNumber());
            if (!BlobStore.sha256(state).equals(task.stateSha256())) {
                throw new IllegalStateException("global state of round " + task.round() + " does not match its announced hash");
            }
            NamedTensors global = SafeTensors.read(state).tensors();
            LabeledFeatures data = hostedSites.trainingData(site, task.classCount());
            TrainingResult result = ModelCatalog.trainer(task.modelKind(), task.featureCount(), task.classCount())
                    .train(global, data, new TrainingConfig(task.localEpochs(), task.learningRate(), task.batchSize(), task.seed(),
                            task.extra().getOrDefault(FedProx.PROXIMAL_MU, 0.0),
                            task.extra().getOrDefault(FfaLora.FREEZE_LORA_A, 0.0) == 1.0,
                            task.extra().getOrDefault(LoraStacking.HETEROGENEOUS_RANKS, 0.0) == 1.0 ? hostedSites.loraRank(site.code()) : 0));
            NamedTensors update = result.delta();
            Double clipNorm = task.extra().get(DifferentialPrivacy.CLIP_NORM);
            if (clipNorm != null) {
                // Client-level DP: the update is clipped before it leaves, and noised here when the noise is split across sites.
                Double siteNoise = task.extra().get(DifferentialPrivacy.SITE_NOISE_MULTIPLIER);
                update = siteNoise == null ? UpdatePrivacy.clip(update, clipNorm)
                        : UpdatePrivacy.privatise(update, clipNorm, siteNoise, task.extra().get(DifferentialPrivacy.NOISE_SHARES).intValue());
            }
            writeOutbox(outboxFile(site, run), SafeTensors.write(update, Map.of(
                    "sampleCount", Long.toString(result.sampleCount()),
                    "trainLoss", Double.toString(result.trainLoss()),
                    "globalLoss", Double.toString(result.globalLoss()))));
            String summary = String.format(Locale.ROOT, "trained on %d samples: global loss %.4f, train loss %.4f",
                    result.sampleCount(), result.globalLoss(), result.trainLoss());
            runs.trained(runId, summary);
            return summary;
        });
    }

    @Override
    public String upload(long runId) {
        return recordingFailure(runId, () -> {
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
                    Double.parseDouble(meta.get("trainLoss")), Double.parseDouble(meta.get("globalLoss")));
            String summary;
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

    private String recordingFailure(long runId, Supplier<String> step) {
        try {
            return step.get();
        } catch (RuntimeException e) {
            runs.failed(runId, e.getMessage());
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
