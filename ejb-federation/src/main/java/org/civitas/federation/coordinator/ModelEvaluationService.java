package org.civitas.federation.coordinator;

import org.civitas.federation.common.AuditService;
import org.civitas.federation.common.ModelCatalog;
import org.civitas.federation.common.NotFoundException;

import jakarta.ejb.EJB;
import jakarta.ejb.Stateless;
import jakarta.ejb.TransactionAttribute;
import jakarta.ejb.TransactionAttributeType;
import jakarta.inject.Inject;
import org.civitas.domain.federation.FederationPlan;
import org.civitas.domain.federation.Round;
import org.civitas.domain.registry.ModelVersion;
import org.civitas.federation.infrastructure.CivitasSettings;
import org.civitas.federation.infrastructure.CoordinatorStores;
import org.civitas.federation.infrastructure.worker.ModelWorker;
import org.civitas.infrastructure.persistence.FederationRepository;
import org.civitas.infrastructure.persistence.ModelRegistryRepository;

import org.civitas.federation.core.evaluation.ConfusionMatrix;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;
import org.civitas.federation.core.worker.WorkerRequest;
import org.civitas.federation.core.worker.WorkerResult;

/**
 * Evaluates each model version of a worker-run model on the newest test split registered at the
 * coordinator for the plan's task: accuracy, macro-F1, macro-F1
 * per scenario and the confusion matrix, stored with the version in the registry. The
 * coordinator's model worker does the work; the version's state goes to it as a file.
 */
@Stateless
@TransactionAttribute(TransactionAttributeType.NOT_SUPPORTED)
public class ModelEvaluationService {

    @Inject
    FederationRepository federations;

    @Inject
    ModelRegistryRepository registry;

    @Inject
    CoordinatorStores stores;

    @Inject
    CivitasSettings settings;

    @EJB
    ModelWorker worker;

    @EJB
    ModelManifestService modelManifests;

    @Inject
    org.civitas.infrastructure.persistence.TaskRepository tasks;

    /** A task version's newest test split, read in a transaction of its own. */
    @TransactionAttribute(TransactionAttributeType.REQUIRED)
    public java.util.Optional<org.civitas.domain.task.TestSplit> testSplit(String task, int version) {
        return tasks.testSplit(task, version);
    }

    @EJB
    ModelEvaluationService self;

    @EJB
    AuditService audit;

    /** What to evaluate, read in a transaction of its own (the worker call must not hold one). */
    public record Target(String modelKind, String task, Integer taskVersion, String manifestSha256, String versionSha256, boolean evaluated) {
    }

    @TransactionAttribute(TransactionAttributeType.REQUIRED)
    public Target target(long federationId, int roundNumber) {
        Round round = federations.round(federationId, roundNumber).orElseThrow(() ->
                new NotFoundException("federation " + federationId + " has no round " + roundNumber));
        FederationPlan plan = round.getFederation().getPlan();
        ModelVersion version = registry.version(federationId, roundNumber).orElse(null);
        return new Target(plan.getModelKind(), plan.getTaskName(), plan.getTaskVersion(), plan.getModelManifestSha256(), version == null ? null : version.getSha256(), version != null && version.getEvalSplit() != null);
    }

    public String evaluate(long federationId, int roundNumber) {
        Target target = self.target(federationId, roundNumber);
        if (!ModelCatalog.isMultimodal(target.modelKind())) {
            return "model " + target.modelKind() + " runs in the server: not evaluated on the test split";
        }
        if (target.versionSha256() == null) {
            return "round " + roundNumber + " produced no model version";
        }
        if (target.evaluated()) {
            return "model version " + roundNumber + " was evaluated already";
        }
        // The task's newest test split, and the manifest the plan bound to the task's labels.
        var registered = self.testSplit(target.task(), target.taskVersion());
        if (registered.isEmpty()) {
            return "task '" + target.task() + "' v" + target.taskVersion() + " has no test split at the coordinator: not evaluated";
        }
        Path test = settings.coordinatorDir().resolve(registered.get().getManifest());
        String split = registered.get().getName();
        var manifest = modelManifests.parsed(target.manifestSha256());
        List<String> labels = manifest.labels();
        Path manifestFile = settings.coordinatorDir().resolve("work").resolve("manifest-" + target.manifestSha256() + ".json");
        try {
            Files.createDirectories(manifestFile.getParent());
            Files.writeString(manifestFile, manifest.canonicalJson());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        if (!Files.exists(test)) {
            return "no test split at " + test + ": not evaluated";
        }
        Path stateFile = settings.coordinatorDir().resolve("work").resolve(target.versionSha256() + ".safetensors");
        try {
            Files.createDirectories(stateFile.getParent());
            Files.write(stateFile, stores.models().get(target.versionSha256()));
            WorkerResult.Evaluated evaluated = worker.request(new WorkerRequest.Evaluate(manifestFile.toString(),
                            test.toString(), stateFile.toString()),
                    (step, steps, loss) -> { }).result();
            String scenariosJson = evaluated.macroF1ByScenario().entrySet().stream()
                    .map(e -> "\"" + e.getKey().replace("\"", "") + "\":" + String.format(Locale.ROOT, "%.4f", e.getValue()))
                    .collect(Collectors.joining(",", "{", "}"));
            double accuracy = evaluated.accuracy();
            double macroF1 = evaluated.macroF1();
            ConfusionMatrix confusion = new ConfusionMatrix(labels, evaluated.confusion());
            self.record(federationId, roundNumber, split, accuracy, macroF1, scenariosJson, ConfusionJson.write(confusion));
            return String.format(Locale.ROOT, "model version %d on %s: accuracy %.3f, macro-F1 %.3f", roundNumber, split, accuracy, macroF1);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } finally {
            try {
                Files.deleteIfExists(stateFile);
            } catch (IOException e) {
                // a leftover work file does no harm
            }
        }
    }

    @TransactionAttribute(TransactionAttributeType.REQUIRED)
    public void record(long federationId, int versionNumber, String split, double accuracy, double macroF1, String byScenarioJson,
                       String confusionJson) {
        ModelVersion version = registry.version(federationId, versionNumber).orElseThrow();
        if (version.getEvalSplit() == null) {
            version.recordEvaluation(split, accuracy, macroF1, byScenarioJson, confusionJson);
            audit.record(AuditService.SYSTEM, "model.evaluated", "federation " + federationId + " model version " + versionNumber,
                    String.format(Locale.ROOT, "%s: accuracy %.4f, macro-F1 %.4f, by scenario %s", split, accuracy, macroF1, byScenarioJson));
        }
    }
}
