package org.civitas.federation.site;

import jakarta.ejb.EJB;
import jakarta.ejb.Local;
import jakarta.ejb.Stateless;
import jakarta.ejb.TransactionAttribute;
import jakarta.ejb.TransactionAttributeType;
import jakarta.inject.Inject;
import org.civitas.batch.personal.PersonalHeadSteps;
import org.civitas.domain.personal.PersonalHead;
import org.civitas.federation.core.tensor.NamedTensors;
import org.civitas.federation.core.tensor.SafeTensors;
import org.civitas.federation.core.worker.WorkerRequest;
import org.civitas.federation.core.worker.WorkerResult;
import org.civitas.federation.infrastructure.worker.ModelWorker;
import org.civitas.federation.protocol.ReleasedModel;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Locale;
import java.util.Map;

/**
 * The step of the {@code personal-head} job, which its batchlet looks up as {@link
 * PersonalHeadSteps}: the model worker trains the head alone ({@code headOnly}) from the released
 * state on the site's data, judging the received global version on the held-out split as it starts;
 * the personal state (global plus the head's update) is kept in the site's folder and judged on the
 * same split. No transaction is held while the worker trains.
 */
@Stateless
@Local(PersonalHeadSteps.class)
@TransactionAttribute(TransactionAttributeType.NOT_SUPPORTED)
public class PersonalHeadJobSteps implements PersonalHeadSteps {

    /** Adam's rate for the head: the bench's setting (docs/BENCHMARKS.md, personal heads). */
    static final double LEARNING_RATE = 0.01;
    static final int BATCH = 32;

    @EJB
    PersonalHeads heads;

    @Inject
    HostedSites hostedSites;

    @Inject
    ReleasedModels releasedModels;

    @Inject
    ModelManifestFiles manifestFiles;

    @EJB
    ModelWorker worker;

    @Override
    public String train(long headId) {
        PersonalHead head = heads.get(headId);
        SiteIdentity site = hostedSites.identity(head.getSiteCode());
        ReleasedModel version = releasedModels.find(site, head.getModelSha256()).orElseThrow(() -> fail(headId,
                "model version " + head.getModelSha256() + " is no longer released"));
        Path manifest = manifestFiles.file(site, head.getManifestSha256());
        Path global = releasedModels.state(site, version);
        Path dataset = hostedSites.existingManifest(site.code(), head.getDataset());
        Path heldout = head.getHeldout() == null ? null : hostedSites.existingManifest(site.code(), head.getHeldout());
        Path folder = site.home().resolve("personal");
        Path update = site.home().resolve("work").resolve("personal-head-" + headId + ".update.safetensors");
        Path checkpoint = site.home().resolve("work").resolve("personal-head-" + headId + ".checkpoint.safetensors");
        try {
            Files.createDirectories(folder);
            Files.createDirectories(update.getParent());
            WorkerResult.Trained trained = worker.request(new WorkerRequest.Train(manifest.toString(), dataset.toString(), global.toString(),
                    update.toString(), new WorkerRequest.Hyper(head.getEpochs(), LEARNING_RATE, BATCH, 17L + headId, 0.0, false, true),
                    checkpoint.toString(), heldout == null ? null : heldout.toString()),
                    (step, steps, loss) -> heads.progress(headId, step, steps)).result();
            NamedTensors personal = SafeTensors.read(Files.readAllBytes(global)).tensors()
                    .plusScaled(SafeTensors.read(Files.readAllBytes(update)).tensors(), 1f);
            Path state = folder.resolve("head-" + headId + ".safetensors");
            Path partial = state.resolveSibling(state.getFileName() + ".partial");
            Files.write(partial, SafeTensors.write(personal, Map.of("kind", "personal-head", "base", head.getModelSha256())));
            Files.move(partial, state, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            Double globalF1 = null;
            Double personalF1 = null;
            Double globalAccuracy = null;
            Double personalAccuracy = null;
            Integer heldoutSamples = null;
            if (heldout != null && trained.heldout() != null) {
                WorkerResult.Evaluated judged = worker.request(new WorkerRequest.Evaluate(manifest.toString(), heldout.toString(),
                        state.toString()), (a, b, c) -> { }).result();
                globalF1 = trained.heldout().macroF1();
                globalAccuracy = trained.heldout().accuracy();
                personalF1 = judged.macroF1();
                personalAccuracy = judged.accuracy();
                heldoutSamples = judged.samples();
            }
            heads.completed(headId, site.home().relativize(state).toString(), trained.samples(), heldoutSamples, globalF1, personalF1,
                    globalAccuracy, personalAccuracy);
            return globalF1 == null ? "personal head trained on " + trained.samples() + " samples"
                    : String.format(Locale.ROOT, "personal head trained on %d samples: held-out macro-F1 %.3f global, %.3f personal",
                    trained.samples(), globalF1, personalF1);
        } catch (IOException e) {
            throw fail(headId, "site " + site.code() + " cannot keep personal head " + headId + ": " + e.getMessage());
        } catch (RuntimeException e) {
            heads.failed(headId, e.getMessage());
            throw e;
        } finally {
            try {
                Files.deleteIfExists(update);
                Files.deleteIfExists(checkpoint);
            } catch (IOException e) {
                // a leftover update is never read again
            }
        }
    }

    private RuntimeException fail(long headId, String reason) {
        heads.failed(headId, reason);
        return new IllegalStateException(reason);
    }

    @Override
    public void jobEnded(long headId, String batchStatus) {
        if (!"COMPLETED".equals(batchStatus)) {
            heads.failed(headId, "the personal-head job ended " + batchStatus);
        }
    }
}
