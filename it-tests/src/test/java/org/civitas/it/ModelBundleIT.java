package org.civitas.it;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.MessageDigest;
import java.security.Signature;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;
import java.util.zip.ZipOutputStream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/**
 * Signed export and import: a released version leaves as a bundle signed by the coordinator, whose
 * every file the descriptor names by hash; an import checks the signature under a trusted key and
 * every hash before it keeps anything, and the imported version is then served to the sites until
 * it is withdrawn.
 */
@ExtendWith(CivitasServer.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ModelBundleIT {

    private static Map<String, byte[]> unzip(byte[] zip) throws IOException {
        Map<String, byte[]> entries = new LinkedHashMap<>();
        try (ZipInputStream in = new ZipInputStream(new ByteArrayInputStream(zip))) {
            for (ZipEntry e = in.getNextEntry(); e != null; e = in.getNextEntry()) {
                entries.put(e.getName(), in.readAllBytes());
            }
        }
        return entries;
    }

    private static byte[] zip(Map<String, byte[]> entries) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (ZipOutputStream z = new ZipOutputStream(out)) {
            for (Map.Entry<String, byte[]> e : entries.entrySet()) {
                z.putNextEntry(new ZipEntry(e.getKey()));
                z.write(e.getValue());
                z.closeEntry();
            }
        }
        return out.toByteArray();
    }

    private static String sha256(byte[] bytes) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    }

    /** The bundle format's signed message: the prefix, then the descriptor's SHA-256. */
    private static byte[] signedMessage(byte[] descriptor) throws Exception {
        return ("civitas-bundle-v1|" + sha256(descriptor)).getBytes(StandardCharsets.UTF_8);
    }

    private static Api.Answer importBundle(byte[] bundle) {
        return Api.postBytes("/bundles", bundle);
    }

    private static final String REPORT = "Water is pouring through the ceiling of the basement corridor.";

    private static Api.Answer predict(String version) {
        return Api.postJsonAs("energy-steward", "/sites/energy/predictions", "{\"version\": \"" + version
                + "\", \"inputs\": [{\"text\": \"" + REPORT + "\"}]}");
    }

    /**
     * What the shipped {@code run_bundle.py} answers for the report, outside Civitas, from the bundle
     * alone; null where the H2 run is not given a Python (it runs once per build).
     */
    private static JsonNode runOutsideCivitas(byte[] bundle, String trustedKey) throws Exception {
        if (System.getProperty("civitas.python") == null) {
            return null;
        }
        String python = PythonWithTorch.find("torch", "numpy", "PIL", "onnx", "cryptography");
        if (python == null) {
            return null;
        }
        java.nio.file.Path file = java.nio.file.Files.createTempFile("civitas-bundle", ".zip");
        try {
            java.nio.file.Files.write(file, bundle);
            java.nio.file.Path trainer = java.nio.file.Path.of(System.getProperty("civitas.it.server.dir"), "civitas-python-trainer");
            Process p = new ProcessBuilder(python, "run_bundle.py", file.toString(), "--trust", trustedKey, "--text", REPORT)
                    .directory(trainer.toFile()).redirectError(ProcessBuilder.Redirect.INHERIT).start();
            byte[] out = p.getInputStream().readAllBytes();
            assertThat(p.waitFor(5, java.util.concurrent.TimeUnit.MINUTES)).isTrue();
            assertThat(p.exitValue()).as(new String(out, StandardCharsets.UTF_8)).isZero();
            return Api.JSON.readTree(out);
        } finally {
            java.nio.file.Files.deleteIfExists(file);
        }
    }

    @Test
    void aReleasedVersionIsExportedSignedImportedAfterItsChecksAndServedUntilWithdrawn() throws Exception {
        Api.Answer started = Api.startFederation(Api.citySafetyPlan("{\"name\": \"Bundle check\", \"rounds\": 1}"));
        assertThat(started.status()).as(started.text()).isEqualTo(201);
        long f = started.json().path("id").asLong();
        assertThat(Api.awaitFinished(f, Duration.ofMinutes(5)).path("status").asText()).isEqualTo("COMPLETED");
        CivitasServer.await(Duration.ofMinutes(2), "model version 1 is evaluated", () ->
                Api.get("/federations/" + f).json().path("models").get(1).path("evaluation").isObject());
        JsonNode models = Api.get("/federations/" + f).json().path("models");
        JsonNode release = Api.postJson("/releases", "{\"federation\": " + f + ", \"version\": 1, \"note\": \"for a partner\"}").json();
        long releaseId = release.path("id").asLong();
        assertThat(Api.get("/releases/" + releaseId + "/bundle").status()).as("only a released version is exported").isEqualTo(409);
        assertThat(Api.postJsonAs("consortium-compliance", "/releases/" + releaseId + "/decision",
                "{\"approve\": true, \"comment\": \"fine to share\"}").status()).isEqualTo(200);
        String model = release.path("modelSha256").asText();

        // The export: every file named by its hash in the signed descriptor.
        assertThat(Api.getAs("energy-steward", "/releases/" + releaseId + "/bundle").status()).isEqualTo(403);
        Api.Answer exported = Api.get("/releases/" + releaseId + "/bundle");
        assertThat(exported.status()).as(exported.text()).isEqualTo(200);
        Map<String, byte[]> bundle = unzip(exported.body());
        JsonNode descriptor = Api.JSON.readTree(bundle.get("bundle.json"));
        List<String> artifacts = new ArrayList<>();
        descriptor.path("artifacts").forEach(a -> artifacts.add(a.path("file").asText()));
        assertThat(descriptor.path("artifacts").fieldNames()).toIterable().containsExactly("text.artifact", "text.tokenizer");
        assertThat(descriptor.path("artifacts").path("text.artifact").path("location").asText()).isEqualTo("classpath:all-minilm-l6-v2.onnx");
        List<String> expectedEntries = new ArrayList<>(List.of("bundle.json", "bundle.sig", "signer.pub", "manifest.json", "state.safetensors"));
        expectedEntries.addAll(artifacts);
        assertThat(bundle.keySet()).containsExactlyElementsOf(expectedEntries);
        for (var file : (Iterable<Map.Entry<String, JsonNode>>) descriptor.path("files")::fields) {
            assertThat(sha256(bundle.get(file.getKey()))).as(file.getKey()).isEqualTo(file.getValue().asText());
        }
        assertThat(descriptor.path("files").size()).isEqualTo(bundle.size() - 3);
        assertThat(sha256(bundle.get("state.safetensors"))).isEqualTo(model);
        assertThat(descriptor.path("model").path("sha256").asText()).isEqualTo(model);
        assertThat(descriptor.path("labels")).hasSize(12);
        assertThat(descriptor.path("evaluation").path("macroF1").asDouble()).isCloseTo(release.path("evalMacroF1").asDouble(), within(1e-12));
        assertThat(descriptor.path("evaluation").path("confusion").path("counts")).hasSize(12);
        JsonNode lineage = descriptor.path("lineage");
        assertThat(lineage).hasSize(2);
        assertThat(lineage.get(0).path("sha256").asText()).isEqualTo(models.get(0).path("sha256").asText());
        assertThat(lineage.get(1).path("parentSha256").asText()).isEqualTo(lineage.get(0).path("sha256").asText());
        assertThat(lineage.get(1).path("sha256").asText()).isEqualTo(model);
        assertThat(descriptor.path("release").path("decidedBy").asText()).isEqualTo("consortium-compliance");
        JsonNode key = Api.get("/bundles/signing-key").json();
        assertThat(descriptor.path("signer").path("publicKey").asText()).isEqualTo(key.path("publicKey").asText());
        Signature check = Signature.getInstance("Ed25519");
        check.initVerify(java.security.KeyFactory.getInstance("Ed25519").generatePublic(new java.security.spec.X509EncodedKeySpec(
                Base64.getDecoder().decode(key.path("publicKey").asText()))));
        check.update(signedMessage(bundle.get("bundle.json")));
        assertThat(check.verify(Base64.getDecoder().decode(new String(bundle.get("bundle.sig"), StandardCharsets.US_ASCII).strip())))
                .as("the coordinator's signature verifies over the descriptor").isTrue();

        // The site answers with the release, and so does the bundle outside Civitas, on PyTorch.
        Api.Answer before = predict(model);
        assertThat(before.status()).as(before.text()).isEqualTo(200);
        JsonNode outside = runOutsideCivitas(exported.body(), key.path("publicKey").asText());
        if (outside != null) {
            assertThat(outside.path("model").path("sha256").asText()).isEqualTo(model);
            assertThat(outside.path("signer").asText()).isEqualTo(key.path("fingerprint").asText());
            before.json().path("predictions").get(0).path("probabilities").fields().forEachRemaining(e -> assertThat(outside
                    .path("predictions").get(0).path("probabilities").path(e.getKey()).asDouble()).as(e.getKey())
                    .isCloseTo(e.getValue().asDouble(), within(0.02)));
        }

        // The release is withdrawn, and the site stops.
        Api.postJsonAs("consortium-compliance", "/releases/" + releaseId + "/withdrawal", "{\"reason\": \"served from the bundle\"}");
        CivitasServer.await(Duration.ofSeconds(30), "the site stops serving the withdrawn release", () -> predict(model).status() == 404);

        // Every bad bundle is refused, naming what does not check, and nothing is kept.
        int importsBefore = Api.get("/bundles").json().size();
        Map<String, byte[]> tamperedState = new LinkedHashMap<>(bundle);
        byte[] state = bundle.get("state.safetensors").clone();
        state[state.length - 1] ^= 1;
        tamperedState.put("state.safetensors", state);
        Map<String, byte[]> tamperedDescriptor = new LinkedHashMap<>(bundle);
        tamperedDescriptor.put("bundle.json", new String(bundle.get("bundle.json"), StandardCharsets.UTF_8)
                .replace("\"note\": \"for a partner\"", "\"note\": \"for everyone\"").getBytes(StandardCharsets.UTF_8));
        assertThat(tamperedDescriptor.get("bundle.json")).isNotEqualTo(bundle.get("bundle.json"));
        KeyPairGenerator generator = KeyPairGenerator.getInstance("Ed25519");
        KeyPair stranger = generator.generateKeyPair();
        ObjectNode resigned = (ObjectNode) descriptor.deepCopy();
        ((ObjectNode) resigned.path("signer")).put("publicKey", Base64.getEncoder().encodeToString(stranger.getPublic().getEncoded()));
        byte[] resignedBytes = Api.JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(resigned);
        Signature sign = Signature.getInstance("Ed25519");
        sign.initSign(stranger.getPrivate());
        sign.update(signedMessage(resignedBytes));
        Map<String, byte[]> untrusted = new LinkedHashMap<>(bundle);
        untrusted.put("bundle.json", resignedBytes);
        untrusted.put("bundle.sig", Base64.getEncoder().encode(sign.sign()));
        Map<String, byte[]> extra = new LinkedHashMap<>(bundle);
        extra.put("run.sh", "rm -rf /".getBytes(StandardCharsets.UTF_8));
        Map<String, byte[]> missing = new LinkedHashMap<>(bundle);
        missing.remove(artifacts.get(1));

        Map<byte[], String> refusals = new LinkedHashMap<>();
        refusals.put("not a zip at all".getBytes(StandardCharsets.UTF_8), "400 bundle: not a zip archive");
        refusals.put(zip(tamperedState), "422 state.safetensors: sha256 ");
        refusals.put(zip(tamperedDescriptor), "422 bundle.sig: the signature does not verify over bundle.json");
        refusals.put(zip(untrusted), "422 bundle.sig: the bundle is signed by key ");
        refusals.put(zip(extra), "422 bundle: unexpected entry 'run.sh'");
        refusals.put(zip(missing), "422 " + artifacts.get(1) + ": named in bundle.json but not in the bundle");
        for (Map.Entry<byte[], String> refusal : refusals.entrySet()) {
            Api.Answer refused = importBundle(refusal.getKey());
            String expected = refusal.getValue();
            assertThat(refused.status()).as(refused.text()).isEqualTo(Integer.parseInt(expected.substring(0, 3)));
            assertThat(refused.json().path("error").asText()).startsWith(expected.substring(4));
        }
        assertThat(Api.callBytes(CivitasServer.API + "/bundles", "energy-steward", Api.DEMO_PASSWORD, exported.body()).status()).isEqualTo(403);
        assertThat(Api.get("/bundles").json().size()).as("nothing kept").isEqualTo(importsBefore);

        // The genuine bundle is imported, and the site serves it again, answering as before.
        Api.Answer imported = importBundle(exported.body());
        assertThat(imported.status()).as(imported.text()).isEqualTo(201);
        long importId = imported.json().path("id").asLong();
        assertThat(imported.json().path("signer").asText()).isEqualTo(key.path("fingerprint").asText());
        assertThat(imported.json().path("sourceFederation").asLong()).isEqualTo(f);
        assertThat(imported.json().path("sourceVersion").asInt()).isEqualTo(1);
        assertThat(imported.json().path("status").asText()).isEqualTo("IMPORTED");
        assertThat(importBundle(exported.body()).status()).as("imported once").isEqualTo(409);
        JsonNode served = null;
        for (JsonNode r : Api.getAs("energy-steward", "/sites/energy/releases").json()) {
            served = r.path("modelSha256").asText().equals(model) ? r : served;
        }
        assertThat(served).as("the site lists the imported version").isNotNull();
        assertThat(served.path("importedFrom").asText()).isEqualTo(key.path("fingerprint").asText());
        Api.Answer after = predict(model);
        assertThat(after.status()).as(after.text()).isEqualTo(200);
        before.json().path("predictions").get(0).path("probabilities").fields().forEachRemaining(e -> assertThat(after.json()
                .path("predictions").get(0).path("probabilities").path(e.getKey()).asDouble()).as(e.getKey())
                .isCloseTo(e.getValue().asDouble(), within(1e-6)));

        Api.Answer noReason = Api.postJson("/bundles/" + importId + "/withdrawal", "{\"reason\": \"\"}");
        assertThat(noReason.status()).as(noReason.text()).isEqualTo(400);
        Api.Answer withdrawn = Api.postJsonAs("consortium-compliance", "/bundles/" + importId + "/withdrawal",
                "{\"reason\": \"the partner's licence ended\"}");
        assertThat(withdrawn.status()).as(withdrawn.text()).isEqualTo(200);
        assertThat(withdrawn.json().path("status").asText()).isEqualTo("WITHDRAWN");
        CivitasServer.await(Duration.ofSeconds(30), "the site stops serving the withdrawn import", () -> predict(model).status() == 404);

        List<String> actions = new ArrayList<>();
        for (JsonNode e : Api.get("/audit?prefix=model.bundle&limit=100").json()) {
            actions.add(e.path("action").asText());
        }
        assertThat(actions).contains("model.bundle.exported", "model.bundle.imported", "model.bundle.withdrawn");
    }
}
