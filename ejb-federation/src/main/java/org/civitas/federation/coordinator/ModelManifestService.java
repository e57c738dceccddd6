package org.civitas.federation.coordinator;

import jakarta.ejb.EJB;
import jakarta.ejb.Stateless;
import jakarta.inject.Inject;
import org.civitas.domain.federation.FederationPlan;
import org.civitas.domain.registry.RegisteredManifest;
import org.civitas.domain.security.Role;
import org.civitas.domain.task.TaskDefinition;
import org.civitas.federation.common.AuditService;
import org.civitas.federation.common.Caller;
import org.civitas.federation.common.InvalidRequestException;
import org.civitas.federation.common.NotFoundException;
import org.civitas.federation.common.UnprocessableException;
import org.civitas.federation.core.model.manifest.ModelManifest;
import org.civitas.infrastructure.persistence.ModelManifestRepository;

import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The consortium's model manifests. The consortium administrator registers a manifest without
 * labels: its towers, fusion and adapters. A plan binds it to a task, which sizes the head from the
 * task's labels; that bound manifest is what the sites train, and they fetch it by its hash.
 */
@Stateless
public class ModelManifestService {

    /**
     * The text encoders the model worker ships, by artifact, with the SHA-256 of their ONNX bytes. A
     * manifest names one of these; the worker checks the bytes against the hash before it runs them.
     */
    static final Map<String, ShippedEncoder> SHIPPED_TEXT_ENCODERS = Map.of(
            "classpath:all-minilm-l6-v2.onnx", new ShippedEncoder("classpath:all-minilm-l6-v2-tokenizer.json",
                    "759c3cd2b7fe7e93933ad23c4c9181b7396442a2ed746ec7c1d46192c469c46e", 384),
            // e5-small-v2, int8-quantised: 12 layers to MiniLM's 6, trained for retrieval; slower, often better on domain wording.
            "classpath:e5-small-v2-q.onnx", new ShippedEncoder("classpath:e5-small-v2-q-tokenizer.json",
                    "7d9092cb25f2bd1c023b7e8d2aa459044a02030ac880e5a59fdaf27af69f1ded", 384));

    record ShippedEncoder(String tokenizer, String sha256, int dim) {
    }

    /** A registered manifest as callers see it. */
    public record ManifestView(String name, String sha256, Set<String> modalities, String baseSha256, String task, Integer taskVersion,
                               String registeredBy, Instant registeredAt, String canonicalJson, ImageBaseLineage imageBase) {
    }

    /**
     * Where a manifest's pretrained image tower ({@code image.base}) comes from: the pretraining run
     * that produced it here (its name, public dataset and that dataset's content hash, its held-out
     * accuracy), or only the hash of a base an administrator uploaded.
     */
    public record ImageBaseLineage(String base, Long pretraining, String name, String dataset, String datasetSha256,
                                   Double heldoutAccuracy) {
    }

    @Inject
    org.civitas.infrastructure.persistence.PretrainingRepository pretrainings;

    @Inject
    Clock clock;

    @Inject
    ModelManifestRepository manifests;

    @EJB
    AuditService audit;

    @Inject
    org.civitas.federation.infrastructure.ArtifactFiles artifacts;

    @Inject
    org.civitas.federation.infrastructure.CivitasSettings settings;

    @EJB
    org.civitas.federation.infrastructure.worker.ModelWorker worker;

    /**
     * Registers a manifest; the same manifest again is the same registration.
     *
     * @throws UnprocessableException naming every field that is wrong
     */
    public ManifestView register(Caller caller, String json) {
        caller.require("register model manifests", Role.CONSORTIUM_ADMIN);
        ModelManifest manifest;
        try {
            manifest = ModelManifest.parse(json == null ? "" : json);
        } catch (ModelManifest.InvalidManifestException e) {
            throw new UnprocessableException(e.getMessage());
        }
        List<String> problems = new ArrayList<>();
        if (manifest.hasLabels()) {
            problems.add("labels: a registered manifest leaves them out; a plan sizes the head from its task's labels");
        }
        boolean operatorText = manifest.text() != null && manifest.text().artifact().startsWith("sha256:");
        if (operatorText) {
            // An operator's encoder, named by its hash, with a shipped encoder's tokenizer or the operator's own.
            uploadedEncoder("text", manifest.text().artifact(), manifest.text().sha256()).ifPresent(problems::add);
            String tokenizer = manifest.text().tokenizer();
            boolean shippedTokenizer = SHIPPED_TEXT_ENCODERS.values().stream().anyMatch(e -> e.tokenizer().equals(tokenizer));
            if (tokenizer.startsWith("sha256:")) {
                String sha = tokenizer.substring("sha256:".length());
                if (!artifacts.has(sha)) {
                    problems.add("text.tokenizer: no artifact with sha256 " + sha + " was uploaded (POST /api/model-artifacts?sha256=" + sha + ")");
                }
            } else if (!shippedTokenizer) {
                problems.add("text.tokenizer: '" + tokenizer + "' is neither an uploaded tokenizer.json named by its hash ('sha256:<hex>')"
                        + " nor a shipped encoder's tokenizer");
            }
        } else if (manifest.text() != null) {
            ShippedEncoder shipped = SHIPPED_TEXT_ENCODERS.get(manifest.text().artifact());
            if (shipped == null) {
                problems.add("text.artifact: '" + manifest.text().artifact() + "' is not a shipped encoder (shipped: "
                        + String.join(", ", new java.util.TreeSet<>(SHIPPED_TEXT_ENCODERS.keySet())) + "), nor an uploaded one"
                        + " named by its hash ('sha256:<hex>')");
            } else {
                if (!shipped.sha256().equals(manifest.text().sha256())) {
                    problems.add("text.sha256: " + manifest.text().sha256() + " does not match the shipped encoder's " + shipped.sha256());
                }
                if (!shipped.tokenizer().equals(manifest.text().tokenizer())) {
                    problems.add("text.tokenizer: the encoder's tokenizer is '" + shipped.tokenizer() + "'");
                }
                if (shipped.dim() != manifest.text().dim()) {
                    problems.add("text.dim: the encoder's output has " + shipped.dim() + " dimensions, not " + manifest.text().dim());
                }
            }
        }
        boolean onnxImages = manifest.image() != null && "onnx".equals(manifest.image().kind());
        if (onnxImages) {
            uploadedEncoder("image", manifest.image().artifact(), manifest.image().sha256()).ifPresent(problems::add);
        }
        if (manifest.image() != null && manifest.image().base() != null) {
            imageBaseProblems(manifest).forEach(problems::add);
        }
        if (!problems.isEmpty()) {
            throw new UnprocessableException("invalid model manifest: " + String.join("; ", problems));
        }
        // An operator's encoder, or an encoder the model adapts (its depth and heads checked against the file), is loaded once here.
        if (onnxImages || operatorText || (manifest.text() != null && manifest.text().adapted())) {
            loadsInTheWorker(manifest);
        }
        var existing = manifests.find(manifest.sha256());
        if (existing.isPresent()) {
            return view(existing.get());
        }
        RegisteredManifest stored = manifests.add(new RegisteredManifest(manifest.name(), manifest.sha256(), manifest.canonicalJson(),
                String.join(",", manifest.modalities()), caller.username(), clock.instant()));
        audit.record(caller.actor(), "model-manifest.registered", "model manifest " + stored.getName(),
                String.join("+", manifest.modalities()) + ", sha256 " + stored.getSha256());
        return view(stored);
    }

    /**
     * What is wrong with the image tower's pretrained weights: never uploaded or pretrained here, not
     * a safetensors file, or not the tower's tensors. Checked here once, so no site's first round
     * finds out.
     */
    private List<String> imageBaseProblems(ModelManifest manifest) {
        String sha256 = manifest.image().baseSha256();
        if (!artifacts.has(sha256)) {
            return List.of("image.base: no artifact with sha256 " + sha256 + " was uploaded (POST /api/model-artifacts?sha256="
                    + sha256 + ") or pretrained here (POST /api/tower-pretrainings)");
        }
        try {
            return org.civitas.federation.core.model.manifest.MultimodalWeights.baseMismatches(manifest, imageBase(sha256));
        } catch (IllegalArgumentException e) {
            return List.of("image.base: not a safetensors file: " + e.getMessage());
        }
    }

    /** The pretrained image tower's tensors stored under this hash. */
    public org.civitas.federation.core.tensor.NamedTensors imageBase(String sha256) {
        try {
            return org.civitas.federation.core.tensor.SafeTensors.read(java.nio.file.Files.readAllBytes(artifacts.path(sha256))).tensors();
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /** What is wrong with a tower's operator encoder: not named by its own hash, or never uploaded. */
    private java.util.Optional<String> uploadedEncoder(String tower, String artifact, String sha256) {
        String byHash = "sha256:" + sha256;
        if (!byHash.equals(artifact)) {
            return java.util.Optional.of(tower + ".artifact: an operator's encoder is named by its hash, '" + byHash + "'");
        }
        if (!artifacts.has(sha256)) {
            return java.util.Optional.of(tower + ".artifact: no artifact with sha256 " + sha256 + " was uploaded (POST"
                    + " /api/model-artifacts?sha256=" + sha256 + ")");
        }
        return java.util.Optional.empty();
    }

    /**
     * Loads the model in this server's worker as a site's would, so that what only running an
     * operator's encoder shows (its output width against {@code image.dim} or {@code text.dim}, its
     * inputs, a tokenizer that does not parse) is refused at registration, naming the field, rather
     * than in every site's first round. The head's labels do not matter here.
     */
    private void loadsInTheWorker(ModelManifest manifest) {
        java.nio.file.Path file = settings.coordinatorDir().resolve("work")
                .resolve("manifest-check-" + manifest.sha256() + ".json");
        try {
            java.nio.file.Files.createDirectories(file.getParent());
            java.nio.file.Files.writeString(file, manifest.withLabels(List.of("a", "b")).canonicalJson());
            worker.request(new org.civitas.federation.core.worker.WorkerRequest.Load(file.toString()), (step, steps, loss) -> { });
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        } catch (RuntimeException e) {
            for (Throwable t = e; t != null; t = t.getCause()) {
                if (t instanceof org.civitas.federation.infrastructure.worker.WorkerProcess.WorkerRequestException refused) {
                    throw new UnprocessableException("invalid model manifest: " + refused.getMessage());
                }
            }
            throw e;
        } finally {
            try {
                java.nio.file.Files.deleteIfExists(file);
            } catch (java.io.IOException e) {
                // a leftover check file is never read
            }
        }
    }

    public List<ManifestView> manifests() {
        return manifests.all().stream().map(this::view).toList();
    }

    public ManifestView manifest(String sha256) {
        return manifests.find(sha256).map(this::view).orElseThrow(() ->
                new NotFoundException("no model manifest has sha256 " + sha256));
    }

    /** A registered manifest, parsed. */
    public ModelManifest parsed(String sha256) {
        return ModelManifest.parse(manifest(sha256).canonicalJson());
    }

    /**
     * The manifest a plan trains: the registered manifest bound to the task version's labels, kept
     * (once) so that sites can fetch it by its hash. Its towers must read exactly the task's modalities.
     *
     * @throws InvalidRequestException naming the mismatch
     */
    public ModelManifest bind(String baseSha256, TaskDefinition task) {
        RegisteredManifest base = manifests.find(baseSha256).orElseThrow(() ->
                new InvalidRequestException("modelManifest: no model manifest has sha256 " + baseSha256 + " (register it: POST /api/model-manifests)"));
        if (base.getTaskName() != null) {
            throw new InvalidRequestException("modelManifest: " + baseSha256 + " is already bound to task '" + base.getTaskName()
                    + "'; name the manifest it was made from, " + base.getBaseSha256());
        }
        ModelManifest manifest = ModelManifest.parse(base.getCanonicalJson());
        if (!manifest.modalities().equals(task.getModalities())) {
            throw new InvalidRequestException("modelManifest: '" + manifest.name() + "' reads " + manifest.modalities() + ", task '"
                    + task.getName() + "' v" + task.getVersion() + " has " + new java.util.TreeSet<>(task.getModalities())
                    + ": a model's towers must match its task's modalities");
        }
        ModelManifest bound = manifest.withLabels(task.getLabels());
        if (manifests.find(bound.sha256()).isEmpty()) {
            manifests.add(new RegisteredManifest(bound.name(), bound.sha256(), bound.canonicalJson(), base.getModalities(),
                    base.getRegisteredBy(), clock.instant()).boundTo(baseSha256, task.getName(), task.getVersion()));
        }
        return bound;
    }

    /** The manifest a plan of the multimodal model trains: the bound manifest it names. */
    public ModelManifest of(FederationPlan plan) {
        if (plan.getModelManifestSha256() == null) {
            throw new IllegalStateException("plan '" + plan.getName() + "' names no model manifest");
        }
        return parsed(plan.getModelManifestSha256());
    }

    ManifestView view(RegisteredManifest m) {
        return new ManifestView(m.getName(), m.getSha256(), new java.util.TreeSet<>(List.of(m.getModalities().split(","))),
                m.getBaseSha256(), m.getTaskName(), m.getTaskVersion(), m.getRegisteredBy(), m.getRegisteredAt(), m.getCanonicalJson(),
                imageBaseLineage(ModelManifest.parse(m.getCanonicalJson())));
    }

    private ImageBaseLineage imageBaseLineage(ModelManifest manifest) {
        String base = manifest.image() == null ? null : manifest.image().baseSha256();
        if (base == null) {
            return null;
        }
        return pretrainings.producing(base).map(r -> new ImageBaseLineage(manifest.image().base(), r.getId(), r.getName(),
                        r.getDatasetName(), r.getDatasetSha256(), r.getHeldoutAccuracy()))
                .orElse(new ImageBaseLineage(manifest.image().base(), null, null, null, null, null));
    }
}
