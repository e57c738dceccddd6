package org.civitas.federation.coordinator;

import jakarta.ejb.EJB;
import jakarta.ejb.Stateless;
import jakarta.inject.Inject;
import jakarta.json.Json;
import jakarta.json.JsonArrayBuilder;
import jakarta.json.JsonObject;
import jakarta.json.JsonObjectBuilder;
import jakarta.json.JsonString;
import jakarta.json.JsonValue;
import jakarta.json.stream.JsonGenerator;
import org.civitas.domain.federation.FederationPlan;
import org.civitas.domain.registry.ImportedModel;
import org.civitas.domain.registry.ModelRelease;
import org.civitas.domain.registry.ModelVersion;
import org.civitas.domain.registry.RegisteredManifest;
import org.civitas.domain.security.Role;
import org.civitas.federation.common.AuditService;
import org.civitas.federation.common.Caller;
import org.civitas.federation.common.ConflictException;
import org.civitas.federation.common.InvalidRequestException;
import org.civitas.federation.common.NotFoundException;
import org.civitas.federation.common.UnprocessableException;
import org.civitas.federation.core.identity.BundleSignature;
import org.civitas.federation.core.identity.UpdateSignature;
import org.civitas.federation.core.model.manifest.ModelManifest;
import org.civitas.federation.infrastructure.ArtifactFiles;
import org.civitas.federation.infrastructure.CivitasSettings;
import org.civitas.federation.infrastructure.CoordinatorSigningKey;
import org.civitas.federation.infrastructure.CoordinatorStores;
import org.civitas.federation.infrastructure.WorkFolders;
import org.civitas.infrastructure.persistence.ModelManifestRepository;
import org.civitas.infrastructure.persistence.ModelRegistryRepository;

import java.io.ByteArrayInputStream;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.StringReader;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.regex.Pattern;
import java.util.zip.ZipEntry;
import java.util.zip.ZipException;
import java.util.zip.ZipFile;
import java.util.zip.ZipInputStream;

/**
 * Signed model bundles: a released version leaves the consortium as one self-contained zip that
 * another Civitas server imports after checking the signature and every hash.
 *
 * <p>A bundle holds {@code bundle.json} (the descriptor: the release and its evaluation, the
 * lineage from version 0, the labels, how the frozen bases are rebuilt, and every other file by
 * its SHA-256), {@code bundle.sig} (the coordinator's Ed25519 signature over the descriptor's
 * exact bytes), {@code signer.pub}, {@code manifest.json} (the model manifest, labels bound),
 * {@code state.safetensors} (the trained tensors) and {@code artifacts/<sha256>} (the pretrained
 * encoder and tokenizer the manifest names). The frozen bases are not in it: they are drawn from
 * {@code java.util.SplittableRandom} with the manifest's seeds, bit for bit the same in the Java
 * worker and the Python trainer, so the manifest is their recipe.
 *
 * <p>An imported version is served to this coordinator's sites like a release of its own (its
 * four eyes were at the coordinator that signed it; trusting that coordinator's key is this
 * server's operator's decision), until it is withdrawn here.
 */
@Stateless
public class ModelBundleService {

    public static final String FORMAT = "civitas-bundle-v1";
    public static final String DESCRIPTOR = "bundle.json";
    public static final String SIGNATURE = "bundle.sig";
    public static final String SIGNER = "signer.pub";
    public static final String MANIFEST = "manifest.json";
    public static final String STATE = "state.safetensors";
    private static final Pattern ARTIFACT_ENTRY = Pattern.compile("artifacts/[0-9a-f]{64}");
    /** A bundle's bytes in all, as unpacked: the largest shipped encoder is under 100 MB. */
    public static final long MAX_BUNDLE_BYTES = 2L << 30;
    private static final long MAX_DESCRIPTOR_BYTES = 1 << 20;

    /** The key this coordinator signs its bundles with, for other coordinators' {@code civitas.bundles.trusted-keys}. */
    public record SigningKeyView(String publicKey, String fingerprint) {
    }

    /** Where an entry's bytes come from when the bundle is written. */
    @FunctionalInterface
    public interface Source {
        InputStream open() throws IOException;
    }

    public record Entry(String name, Source source) {
    }

    /** A bundle ready to be written, entry by entry, as a zip named {@code fileName}. */
    public record Bundle(String fileName, List<Entry> entries) {
    }

    public record ImportedView(long id, String modelSha256, String manifestSha256, String signer, long sourceReleaseId,
                               long sourceFederation, int sourceVersion, String evalSplit, double evalAccuracy, double evalMacroF1,
                               String status, String importedBy, java.time.Instant importedAt, String withdrawnBy,
                               java.time.Instant withdrawnAt, String withdrawalReason, JsonObject descriptor) {
    }

    @Inject
    Clock clock;

    @Inject
    ModelRegistryRepository registry;

    @Inject
    ModelManifestRepository manifests;

    @Inject
    CoordinatorStores stores;

    @Inject
    CoordinatorSigningKey signingKey;

    @Inject
    ArtifactFiles artifactFiles;

    @Inject
    CivitasSettings settings;

    @EJB
    AuditService audit;

    public SigningKeyView signingKey() {
        return new SigningKeyView(signingKey.publicKey(), signingKey.fingerprint());
    }

    // ---- export ----------------------------------------------------------------------------

    /**
     * The bundle of a released version. Its descriptor and signature are made here; the state and
     * the artifacts are read when the bundle is written.
     *
     * @throws ConflictException when the release is not released now, or its model has no manifest
     */
    public Bundle export(Caller caller, long releaseId) {
        caller.require("export model bundles", Role.CONSORTIUM_ADMIN);
        ModelRelease release = registry.releases().stream().filter(r -> r.getId() == releaseId).findFirst()
                .orElseThrow(() -> new NotFoundException("release " + releaseId + " does not exist"));
        if (release.getStatus() != ModelRelease.Status.RELEASED) {
            throw new ConflictException("release " + releaseId + " is " + release.getStatus() + ": only a released version is exported");
        }
        ModelVersion version = release.getVersion();
        FederationPlan plan = version.getFederation().getPlan();
        if (plan.getModelManifestSha256() == null) {
            throw new ConflictException("release " + releaseId + " is of a model without a model manifest, which no worker runs;"
                    + " only models of a manifest are exported");
        }
        RegisteredManifest registered = manifests.find(plan.getModelManifestSha256()).orElseThrow(() ->
                new IllegalStateException("the manifest " + plan.getModelManifestSha256() + " of release " + releaseId + " is gone"));
        ModelManifest manifest = ModelManifest.parse(registered.getCanonicalJson());
        byte[] manifestBytes = registered.getCanonicalJson().getBytes(StandardCharsets.UTF_8);
        byte[] state = stores.models().get(version.getSha256());

        Map<String, String> locations = new LinkedHashMap<>();
        if (manifest.text() != null) {
            locations.put("text.artifact", manifest.text().artifact());
            locations.put("text.tokenizer", manifest.text().tokenizer());
        }
        if (manifest.image() != null && manifest.image().base() != null) {
            locations.put("image.base", manifest.image().base());
        }
        if (manifest.image() != null && manifest.image().artifact() != null) {
            locations.put("image.artifact", manifest.image().artifact());
        }
        Map<String, String> files = new LinkedHashMap<>();
        files.put(MANIFEST, BundleSignature.sha256(manifestBytes));
        files.put(STATE, version.getSha256());
        JsonObjectBuilder artifacts = Json.createObjectBuilder();
        Map<String, Source> artifactSources = new LinkedHashMap<>();
        for (Map.Entry<String, String> field : locations.entrySet()) {
            Source source = artifactSource(field.getValue());
            String sha = hash(source);
            artifactSources.put("artifacts/" + sha, source);
            files.put("artifacts/" + sha, sha);
            artifacts.add(field.getKey(), Json.createObjectBuilder().add("location", field.getValue()).add("file", "artifacts/" + sha));
        }

        byte[] descriptor = pretty(descriptor(release, version, plan, registered, manifest, artifacts, files));
        String signature = signingKey.signBundle(descriptor);
        List<Entry> entries = new ArrayList<>();
        entries.add(new Entry(DESCRIPTOR, () -> new ByteArrayInputStream(descriptor)));
        entries.add(new Entry(SIGNATURE, () -> new ByteArrayInputStream((signature + "\n").getBytes(StandardCharsets.US_ASCII))));
        entries.add(new Entry(SIGNER, () -> new ByteArrayInputStream((signingKey.publicKey() + "\n").getBytes(StandardCharsets.US_ASCII))));
        entries.add(new Entry(MANIFEST, () -> new ByteArrayInputStream(manifestBytes)));
        entries.add(new Entry(STATE, () -> new ByteArrayInputStream(state)));
        artifactSources.forEach((name, source) -> entries.add(new Entry(name, source)));
        audit.record(caller.actor(), "model.bundle.exported", "release " + releaseId + " of federation " + version.getFederation().getId()
                + " version " + version.getVersionNumber(), "model " + version.getSha256() + ", signed by " + signingKey.fingerprint());
        return new Bundle("civitas-f" + version.getFederation().getId() + "-v" + version.getVersionNumber() + "-"
                + version.getSha256().substring(0, 12) + ".zip", entries);
    }

    private JsonObject descriptor(ModelRelease release, ModelVersion version, FederationPlan plan, RegisteredManifest registered,
                                  ModelManifest manifest, JsonObjectBuilder artifacts, Map<String, String> files) {
        JsonObjectBuilder releaseJson = Json.createObjectBuilder().add("id", release.getId()).add("note", release.getNote())
                .add("proposedBy", release.getProposedBy()).add("proposedAt", release.getProposedAt().toString());
        addIfSet(releaseJson, "decidedBy", release.getDecidedBy());
        addIfSet(releaseJson, "decidedAt", release.getDecidedAt() == null ? null : release.getDecidedAt().toString());
        addIfSet(releaseJson, "decisionComment", release.getDecisionComment());
        JsonObjectBuilder evaluation = Json.createObjectBuilder().add("split", release.getEvalSplit())
                .add("accuracy", release.getEvalAccuracy()).add("macroF1", release.getEvalMacroF1());
        if (version.getEvalConfusion() != null) {
            evaluation.add("confusion", Json.createReader(new StringReader(version.getEvalConfusion())).readObject());
        }
        JsonArrayBuilder lineage = Json.createArrayBuilder();
        List<ModelVersion> chain = new ArrayList<>();
        for (ModelVersion v = version; v != null; v = v.getParent()) {
            chain.add(0, v);
        }
        for (ModelVersion v : chain) {
            JsonObjectBuilder step = Json.createObjectBuilder().add("version", v.getVersionNumber()).add("sha256", v.getSha256())
                    .add("samples", v.getSampleCount()).add("createdAt", v.getCreatedAt().toString());
            addIfSet(step, "parentSha256", v.getParent() == null ? null : v.getParent().getSha256());
            lineage.add(step);
        }
        JsonObjectBuilder planJson = Json.createObjectBuilder().add("name", plan.getName()).add("strategy", plan.getStrategy())
                .add("rounds", plan.getRounds()).add("planSha256", plan.getPlanSha256());
        addIfSet(planJson, "task", plan.getTaskName());
        if (plan.getTaskVersion() != null) {
            planJson.add("taskVersion", plan.getTaskVersion());
        }
        JsonArrayBuilder labels = Json.createArrayBuilder();
        manifest.labels().forEach(labels::add);
        JsonObjectBuilder fileHashes = Json.createObjectBuilder();
        files.forEach(fileHashes::add);
        JsonObjectBuilder d = Json.createObjectBuilder().add("format", FORMAT).add("exportedAt", clock.instant().toString())
                .add("signer", Json.createObjectBuilder().add("publicKey", signingKey.publicKey()).add("fingerprint", signingKey.fingerprint()))
                .add("release", releaseJson)
                .add("model", Json.createObjectBuilder().add("federation", version.getFederation().getId())
                        .add("version", version.getVersionNumber()).add("sha256", version.getSha256()).add("sizeBytes", version.getSizeBytes()))
                .add("plan", planJson).add("manifestSha256", registered.getSha256());
        addIfSet(d, "baseManifestSha256", registered.getBaseSha256());
        return d.add("labels", labels).add("evaluation", evaluation).add("lineage", lineage)
                .add("frozenBases", "not in the bundle: every frozen projection and LoRA A factor is drawn from java.util.SplittableRandom"
                        + " with the seeds the manifest names, the same in the Java worker and the Python trainer; state.safetensors holds"
                        + " the trained tensors")
                .add("artifacts", artifacts).add("files", fileHashes).build();
    }

    private static void addIfSet(JsonObjectBuilder o, String key, String value) {
        if (value != null) {
            o.add(key, value);
        }
    }

    private static byte[] pretty(JsonObject o) {
        StringWriter out = new StringWriter();
        Json.createWriterFactory(Map.of(JsonGenerator.PRETTY_PRINTING, true)).createWriter(out).write(o);
        return (out.toString().strip() + "\n").getBytes(StandardCharsets.UTF_8);
    }

    /** A {@code classpath:} artifact from the bundled worker's jars, or an uploaded one by its hash. */
    private Source artifactSource(String location) {
        if (location.startsWith("sha256:")) {
            Path file = artifactFiles.path(location.substring("sha256:".length()));
            return () -> Files.newInputStream(file);
        }
        if (!location.startsWith("classpath:")) {
            throw new IllegalStateException("artifact '" + location + "' is neither classpath: nor sha256:");
        }
        String resource = location.substring("classpath:".length());
        try (DirectoryStream<Path> jars = Files.newDirectoryStream(settings.workerLibraries(), "*.jar")) {
            for (Path jar : jars) {
                try (ZipFile zip = new ZipFile(jar.toFile())) {
                    if (zip.getEntry(resource) != null) {
                        return () -> {
                            ZipFile open = new ZipFile(jar.toFile());
                            return new FilterInputStream(open.getInputStream(open.getEntry(resource))) {
                                @Override
                                public void close() throws IOException {
                                    super.close();
                                    open.close();
                                }
                            };
                        };
                    }
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the worker's libraries in " + settings.workerLibraries(), e);
        }
        throw new IllegalStateException("artifact '" + location + "' is in none of the worker's jars in " + settings.workerLibraries());
    }

    private static String hash(Source source) {
        try (InputStream in = new DigestInputStream(source.open(), sha256())) {
            in.transferTo(java.io.OutputStream.nullOutputStream());
            return HexFormat.of().formatHex(((DigestInputStream) in).getMessageDigest().digest());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    // ---- import ----------------------------------------------------------------------------

    /**
     * Imports a bundle: unpacked into a folder of its own (bounded, entry names checked), its
     * signature checked under a key this server trusts, every file against the hash the descriptor
     * names; only then is anything kept. Nothing is kept when any check fails.
     *
     * @throws InvalidRequestException when the body is not a bundle's zip
     * @throws UnprocessableException  naming the file or signature that does not check
     * @throws ConflictException       when the model is imported already and served
     */
    public ImportedView importBundle(Caller caller, InputStream body) {
        caller.require("import model bundles", Role.CONSORTIUM_ADMIN);
        Path work = settings.coordinatorDir().resolve("work").resolve("import-" + UUID.randomUUID());
        try {
            Map<String, Path> unpacked = new LinkedHashMap<>();
            Map<String, String> hashes = new LinkedHashMap<>();
            unpack(body, work, unpacked, hashes);
            for (String required : List.of(DESCRIPTOR, SIGNATURE, MANIFEST, STATE)) {
                if (!unpacked.containsKey(required)) {
                    throw new UnprocessableException("bundle: '" + required + "' is missing");
                }
            }
            byte[] descriptorBytes = read(unpacked.get(DESCRIPTOR), MAX_DESCRIPTOR_BYTES, DESCRIPTOR);
            JsonObject descriptor;
            try {
                descriptor = Json.createReader(new StringReader(new String(descriptorBytes, StandardCharsets.UTF_8))).readObject();
            } catch (RuntimeException e) {
                throw new UnprocessableException(DESCRIPTOR + ": not a JSON object (" + e.getMessage() + ")");
            }
            if (!FORMAT.equals(descriptor.getString("format", null))) {
                throw new UnprocessableException(DESCRIPTOR + ": format is '" + descriptor.getString("format", "") + "', this server reads "
                        + FORMAT);
            }
            String signer = text(descriptor, "signer", "publicKey");
            String fingerprint;
            try {
                UpdateSignature.publicKey(signer);
                fingerprint = UpdateSignature.fingerprint(signer);
            } catch (IllegalArgumentException e) {
                throw new UnprocessableException(DESCRIPTOR + ": signer.publicKey is " + e.getMessage());
            }
            Set<String> trusted = new LinkedHashSet<>(settings.bundleTrustedKeys());
            trusted.add(signingKey.publicKey());
            if (!trusted.contains(signer)) {
                throw new UnprocessableException(SIGNATURE + ": the bundle is signed by key " + fingerprint + ", which this server does not"
                        + " trust (civitas.bundles.trusted-keys)");
            }
            String signature = new String(read(unpacked.get(SIGNATURE), 4096, SIGNATURE), StandardCharsets.US_ASCII);
            if (!BundleSignature.verify(UpdateSignature.publicKey(signer), signature, descriptorBytes)) {
                throw new UnprocessableException(SIGNATURE + ": the signature does not verify over " + DESCRIPTOR + " under key " + fingerprint);
            }
            JsonObject files = object(descriptor, "files");
            for (Map.Entry<String, JsonValue> f : files.entrySet()) {
                String name = f.getKey();
                String expected = f.getValue() instanceof JsonString s ? s.getString() : "";
                if (!unpacked.containsKey(name)) {
                    throw new UnprocessableException(name + ": named in " + DESCRIPTOR + " but not in the bundle");
                }
                if (!hashes.get(name).equals(expected)) {
                    throw new UnprocessableException(name + ": sha256 " + hashes.get(name) + " differs from the " + expected + " that "
                            + DESCRIPTOR + " names");
                }
            }
            for (String name : unpacked.keySet()) {
                if (!files.containsKey(name) && !Set.of(DESCRIPTOR, SIGNATURE, SIGNER).contains(name)) {
                    throw new UnprocessableException(name + ": in the bundle but not named in " + DESCRIPTOR);
                }
            }
            String modelSha = text(descriptor, "model", "sha256");
            if (!hashes.get(STATE).equals(modelSha)) {
                throw new UnprocessableException(STATE + ": sha256 " + hashes.get(STATE) + " is not the model's " + modelSha);
            }
            String manifestJson = new String(read(unpacked.get(MANIFEST), 1 << 20, MANIFEST), StandardCharsets.UTF_8);
            ModelManifest manifest;
            try {
                manifest = ModelManifest.parse(manifestJson);
            } catch (ModelManifest.InvalidManifestException e) {
                throw new UnprocessableException(MANIFEST + ": " + e.getMessage());
            }
            String manifestSha = descriptor.getString("manifestSha256", "");
            if (!manifest.sha256().equals(manifestSha) || !manifest.canonicalJson().equals(manifestJson)) {
                throw new UnprocessableException(MANIFEST + ": its canonical form hashes to " + manifest.sha256() + ", not the "
                        + manifestSha + " that " + DESCRIPTOR + " names");
            }
            if (!manifest.hasLabels()) {
                throw new UnprocessableException(MANIFEST + ": it has no labels, so it is not a trained model's manifest");
            }
            registry.servedImports(modelSha).stream().findFirst().ifPresent(existing -> {
                throw new ConflictException("model " + modelSha + " is imported already (import " + existing.getId() + ")");
            });
            return keep(caller, descriptor, descriptorBytes, unpacked, manifest, fingerprint, modelSha);
        } finally {
            WorkFolders.deleteQuietly(work);
        }
    }

    /** What the checks passed: uploaded artifacts, the state, the manifest and the import's record. */
    private ImportedView keep(Caller caller, JsonObject descriptor, byte[] descriptorBytes, Map<String, Path> unpacked,
                              ModelManifest manifest, String fingerprint, String modelSha) {
        for (JsonValue a : object(descriptor, "artifacts").values()) {
            String location = a.asJsonObject().getString("location", "");
            // A shipped artifact is this server's own (the worker checks the encoder's hash as it loads it); an uploaded one is kept.
            if (location.startsWith("sha256:") && !artifactFiles.has(location.substring("sha256:".length()))) {
                String sha = location.substring("sha256:".length());
                Path file = unpacked.get("artifacts/" + sha);
                if (file == null) {
                    throw new UnprocessableException("artifacts/" + sha + ": the manifest's " + location + " is not in the bundle");
                }
                try (InputStream in = Files.newInputStream(file)) {
                    artifactFiles.put(in, sha);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }
        }
        try {
            String stored = stores.models().put(Files.readAllBytes(unpacked.get(STATE))).key();
            if (!stored.equals(modelSha)) {
                throw new IllegalStateException("the model store keeps the state as " + stored + ", not " + modelSha);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        if (manifests.find(manifest.sha256()).isEmpty()) {
            JsonObject plan = descriptor.getJsonObject("plan");
            RegisteredManifest registered = new RegisteredManifest(manifest.name(), manifest.sha256(), manifest.canonicalJson(),
                    String.join(",", manifest.modalities()), caller.username(), clock.instant());
            // Bound already (its labels are its task's): a plan binds a manifest without labels, never this one.
            registered.boundTo(descriptor.getString("baseManifestSha256", manifest.sha256()),
                    plan == null ? "imported" : plan.getString("task", "imported"), plan == null ? 0 : plan.getInt("taskVersion", 0));
            manifests.add(registered);
        }
        JsonObject release = object(descriptor, "release");
        JsonObject model = object(descriptor, "model");
        JsonObject evaluation = object(descriptor, "evaluation");
        ImportedModel imported;
        try {
            imported = registry.addImported(new ImportedModel(modelSha, manifest.sha256(), fingerprint, release.getJsonNumber("id").longValue(),
                    model.getJsonNumber("federation").longValue(), model.getInt("version"), evaluation.getString("split"),
                    evaluation.getJsonNumber("accuracy").doubleValue(), evaluation.getJsonNumber("macroF1").doubleValue(),
                    new String(descriptorBytes, StandardCharsets.UTF_8), caller.username(), clock.instant()));
        } catch (NullPointerException | ClassCastException e) {
            throw new UnprocessableException(DESCRIPTOR + ": release.id, model.federation, model.version and evaluation (split, accuracy,"
                    + " macroF1) are required");
        }
        audit.record(caller.actor(), "model.bundle.imported", "imported model " + imported.getId(), "model " + modelSha + " of federation "
                + imported.getSourceFederation() + " version " + imported.getSourceVersion() + ", signed by " + fingerprint);
        return view(imported);
    }

    private void unpack(InputStream body, Path work, Map<String, Path> unpacked, Map<String, String> hashes) {
        long total = 0;
        try (ZipInputStream zip = new ZipInputStream(body)) {
            Files.createDirectories(work);
            for (ZipEntry e = zip.getNextEntry(); e != null; e = zip.getNextEntry()) {
                String name = e.getName();
                if (e.isDirectory() && name.equals("artifacts/")) {
                    continue;
                }
                if (!Set.of(DESCRIPTOR, SIGNATURE, SIGNER, MANIFEST, STATE).contains(name) && !ARTIFACT_ENTRY.matcher(name).matches()) {
                    throw new UnprocessableException("bundle: unexpected entry '" + name + "' (a bundle holds " + DESCRIPTOR + ", "
                            + SIGNATURE + ", " + SIGNER + ", " + MANIFEST + ", " + STATE + " and artifacts/<sha256>)");
                }
                if (unpacked.containsKey(name)) {
                    throw new UnprocessableException("bundle: entry '" + name + "' appears twice");
                }
                Path file = work.resolve("entry-" + unpacked.size());
                MessageDigest digest = sha256();
                try (var out = Files.newOutputStream(file)) {
                    byte[] buffer = new byte[1 << 16];
                    for (int n = zip.read(buffer); n > 0; n = zip.read(buffer)) {
                        total += n;
                        if (total > MAX_BUNDLE_BYTES) {
                            throw new InvalidRequestException("bundle: over the limit of " + MAX_BUNDLE_BYTES + " bytes unpacked");
                        }
                        digest.update(buffer, 0, n);
                        out.write(buffer, 0, n);
                    }
                }
                unpacked.put(name, file);
                hashes.put(name, HexFormat.of().formatHex(digest.digest()));
            }
        } catch (ZipException e) {
            throw new InvalidRequestException("bundle: not a zip archive (" + e.getMessage() + ")");
        } catch (IOException e) {
            throw new UncheckedIOException("cannot unpack the bundle into " + work, e);
        }
        if (unpacked.isEmpty()) {
            throw new InvalidRequestException("bundle: not a zip archive, or an empty one");
        }
    }

    private static byte[] read(Path file, long max, String name) {
        try {
            if (Files.size(file) > max) {
                throw new UnprocessableException(name + ": over the limit of " + max + " bytes");
            }
            return Files.readAllBytes(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static JsonObject object(JsonObject o, String key) {
        JsonValue v = o.get(key);
        if (!(v instanceof JsonObject object)) {
            throw new UnprocessableException(DESCRIPTOR + ": '" + key + "' must be an object");
        }
        return object;
    }

    private static String text(JsonObject o, String key, String field) {
        JsonValue v = object(o, key).get(field);
        if (!(v instanceof JsonString s)) {
            throw new UnprocessableException(DESCRIPTOR + ": '" + key + "." + field + "' must be a string");
        }
        return s.getString();
    }

    // ---- imported models ---------------------------------------------------------------------

    public List<ImportedView> imported() {
        return registry.imported().stream().map(ModelBundleService::view).toList();
    }

    /** An imported model is no longer served here; the consortium administrator or a consortium compliance officer. */
    public ImportedView withdraw(Caller caller, long id, String reason) {
        if (!caller.has(Role.CONSORTIUM_ADMIN) && !(caller.has(Role.COMPLIANCE_OFFICER) && caller.isConsortium())) {
            throw new org.civitas.federation.common.ForbiddenException("only the consortium administrator or a consortium compliance"
                    + " officer withdraws an imported model");
        }
        ImportedModel imported = registry.importedForUpdate(id).orElseThrow(() -> new NotFoundException("imported model " + id
                + " does not exist"));
        try {
            imported.withdraw(caller.username(), reason, clock.instant());
        } catch (IllegalStateException e) {
            throw new ConflictException(e.getMessage());
        } catch (IllegalArgumentException e) {
            throw new InvalidRequestException(e.getMessage());
        }
        audit.record(caller.actor(), "model.bundle.withdrawn", "imported model " + id, imported.getWithdrawalReason());
        return view(imported);
    }

    static ImportedView view(ImportedModel m) {
        return new ImportedView(m.getId(), m.getModelSha256(), m.getManifestSha256(), m.getSignerFingerprint(), m.getSourceReleaseId(),
                m.getSourceFederation(), m.getSourceVersion(), m.getEvalSplit(), m.getEvalAccuracy(), m.getEvalMacroF1(), m.getStatus().name(),
                m.getImportedBy(), m.getImportedAt(), m.getWithdrawnBy(), m.getWithdrawnAt(), m.getWithdrawalReason(),
                Json.createReader(new StringReader(m.getDescriptorJson())).readObject());
    }
}
