package org.civitas.it;

import com.fasterxml.jackson.databind.JsonNode;
import org.civitas.federation.core.identity.UpdateSignature;
import org.civitas.federation.core.tensor.NamedTensors;
import org.civitas.federation.core.tensor.SafeTensors;
import org.civitas.federation.core.tensor.Tensor;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The participant protocol seen from a site the test drives itself (a "probe" site beside the
 * hosted energy site): every bad upload is refused with a 4xx naming the problem and leaves
 * nothing stored; a good one is accepted once.
 */
@ExtendWith(CivitasServer.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ParticipantProtocolIT {

    private static final String GOOD_METADATA = "{\"sampleCount\": 50, \"trainLoss\": 0.9, \"globalLoss\": 1.6}";

    private Api.SiteCredentials probe;
    private Api.SiteCredentials outsider;
    private long federation;
    private NamedTensors global;

    @BeforeAll
    void registerProbeSitesAndStartAFederation() {
        probe = register("probe-" + CivitasServer.db());
        outsider = register("outsider-" + CivitasServer.db());
        Api.Answer started = Api.startFederation(
                "{\"name\": \"Protocol check\", \"sites\": [\"energy\", \"" + probe.code() + "\"], \"rounds\": 2,"
                        + " \"roundTimeoutSeconds\": 600}");
        assertThat(started.status()).as(started.text()).isEqualTo(201);
        federation = started.json().path("id").asLong();
        Api.Answer state = Api.get("/participant/federations/" + federation + "/rounds/1/state", probe);
        assertThat(state.status()).isEqualTo(200);
        global = SafeTensors.read(state.body()).tensors();
        // The probe has a round open (it waits for the probe's update): it is asked back in a second.
        assertThat(Api.get("/participant/tasks", probe).header("X-Civitas-Poll-After")).isEqualTo("1");
    }

    private static Api.SiteCredentials register(String code) {
        Api.Answer r = Api.postJson("/sites", "{\"code\": \"" + code + "\", \"enterprise\": \"meridian-energy\"}");
        assertThat(r.status()).as(r.text()).isEqualTo(201);
        Api.SiteCredentials site = new Api.SiteCredentials(code, r.json().path("token").asText());
        Api.registerDataset(site, "incident-features", 1000);
        return site;
    }

    @Test
    void refusesEveryBadUploadWithNothingStoredThenAcceptsAGoodOneOnce() {
        // Prepare: the hosted energy site has uploaded, so round 1 waits only for the probe
        awaitUpdates(1, 1);
        long spooledBefore = spooledFiles();
        byte[] good = SafeTensors.write(scaled(global, 0.01f));

        // Execute + Assert: each refusal names its problem
        refused(Api.upload(federation, 1, new Api.SiteCredentials("atlantis", "x".repeat(20)), GOOD_METADATA, good),
                401, "UNKNOWN_SITE", "unknown site 'atlantis'");
        refused(Api.upload(federation, 1, new Api.SiteCredentials(probe.code(), "wrong-token-wrong-token"), GOOD_METADATA, good),
                401, "UNKNOWN_SITE", "wrong or missing token for site '" + probe.code() + "'");
        refused(Api.upload(federation, 1, outsider, GOOD_METADATA, good),
                403, "NOT_A_PARTICIPANT", "is not a participant of federation " + federation);
        refused(Api.upload(federation, 2, probe, GOOD_METADATA, good),
                404, "UNKNOWN_ROUND", "has no round 2");
        refused(Api.upload(federation, 1, probe, GOOD_METADATA, renamed(global)),
                422, "INVALID_TENSORS", "unexpected [linear.kernel]");
        refused(Api.upload(federation, 1, probe, GOOD_METADATA, SafeTensors.write(NamedTensors.builder()
                        .put("linear.weight", Tensor.zeros(3, 16)).put("linear.bias", Tensor.zeros(5)).build())),
                422, "INVALID_TENSORS", "tensor 'linear.weight' has shape [3, 16], expected [5, 16]");
        NamedTensors withNaN = scaled(global, 0.01f);
        withNaN.get("linear.bias").values()[2] = Float.NaN;
        refused(Api.upload(federation, 1, probe, GOOD_METADATA, SafeTensors.write(withNaN)),
                422, "INVALID_TENSORS", "tensor 'linear.bias' holds a non-finite value (NaN) at flat index 2");
        NamedTensors withInf = scaled(global, 0.01f);
        withInf.get("linear.weight").values()[7] = Float.POSITIVE_INFINITY;
        refused(Api.upload(federation, 1, probe, GOOD_METADATA, SafeTensors.write(withInf)),
                422, "INVALID_TENSORS", "holds a non-finite value (Infinity) at flat index 7");
        refused(Api.upload(federation, 1, probe, GOOD_METADATA, "not safetensors at all".getBytes()),
                422, "INVALID_TENSORS", "invalid safetensors");
        refused(Api.upload(federation, 1, probe, null, good),
                422, "INVALID_TENSORS", "needs a 'metadata' part and a 'tensors' part");
        refused(Api.upload(federation, 1, probe, "{\"sampleCount\": 0, \"trainLoss\": 1, \"globalLoss\": 1}", good),
                422, "INVALID_METADATA", "sampleCount 0 is outside [1, 1000]");
        refused(Api.upload(federation, 1, probe, GOOD_METADATA, new byte[(int) CivitasServer.UPLOAD_LIMIT + 4096]),
                413, "TOO_LARGE", "exceeds the limit of " + CivitasServer.UPLOAD_LIMIT);

        assertThat(updatesIn(1)).as("refused uploads leave no receipt").isEqualTo(1);
        assertThat(spooledFiles()).as("refused uploads leave no spooled file").isEqualTo(spooledBefore);

        // A good upload is accepted and receipted; the same again is a duplicate
        Api.Answer accepted = Api.upload(federation, 1, probe, GOOD_METADATA, good);
        assertThat(accepted.status()).as(accepted.text()).isEqualTo(201);
        assertThat(accepted.json().path("site").asText()).isEqualTo(probe.code());
        assertThat(accepted.json().path("sampleCount").asLong()).isEqualTo(50);
        refused(Api.upload(federation, 1, probe, GOOD_METADATA, good),
                409, null, null);

        // Round 1 closes with both updates; a late upload to it is refused as not open
        awaitUpdates(2, 1);
        JsonNode round1 = awaitRoundStatus(1, "AGGREGATED");
        assertThat(round1.path("updates").asInt()).isEqualTo(2);
        refused(Api.upload(federation, 1, probe, GOOD_METADATA, good),
                409, "ROUND_NOT_OPEN", "round 1 of federation " + federation + " is AGGREGATED, not open");

        // Round 2: the probe's answer completes the federation
        awaitUpdates(1, 2);
        NamedTensors round2State = SafeTensors.read(Api.get("/participant/federations/" + federation + "/rounds/2/state", probe).body()).tensors();
        assertThat(round2State).isNotEqualTo(global);
        assertThat(Api.upload(federation, 2, probe, GOOD_METADATA, SafeTensors.write(scaled(round2State, 0.01f))).status()).isEqualTo(201);
        JsonNode done = Api.awaitFinished(federation, Duration.ofMinutes(1));
        assertThat(done.path("status").asText()).isEqualTo("COMPLETED");
    }

    @Test
    void fedBuffCountsALateUpdateInTheOpenRoundWithItsStaleness() {
        // Prepare: FedBuff closes rounds at 2 updates; energy and community answer round 1 by themselves
        Api.Answer started = Api.startFederation("{\"name\": \"Async check\", \"strategy\": \"fedbuff\","
                + " \"strategyParams\": {\"bufferSize\": 2}, \"sites\": [\"energy\", \"community\", \"" + probe.code() + "\"],"
                + " \"rounds\": 3}");
        assertThat(started.status()).as(started.text()).isEqualTo(201);
        long async = started.json().path("id").asLong();
        NamedTensors state1 = SafeTensors.read(Api.get("/participant/federations/" + async + "/rounds/1/state", probe).body()).tensors();
        long end = System.nanoTime() + Duration.ofMinutes(1).toNanos();
        while (!"AGGREGATED".equals(Api.get("/federations/" + async).json().path("rounds").get(0).path("status").asText())) {
            assertThat(System.nanoTime()).as("round 1 closes at 2 updates").isLessThan(end);
            CivitasServer.sleep(100);
        }

        // Execute: the probe's update for round 1 arrives after round 1 closed
        Api.Answer late = Api.upload(async, 1, probe, GOOD_METADATA, SafeTensors.write(scaled(state1, 0.01f)));

        // Assert: accepted into the open round with staleness 1
        assertThat(late.status()).as(late.text()).isEqualTo(201);
        assertThat(late.json().path("staleness").asInt()).isGreaterThanOrEqualTo(1);
        JsonNode f = Api.awaitFinished(async, Duration.ofMinutes(1));
        assertThat(f.path("status").asText()).isEqualTo("COMPLETED");
        JsonNode round1 = f.path("rounds").get(0);
        assertThat(round1.path("receipts").findValuesAsText("site")).containsExactlyInAnyOrder("energy", "community");
        boolean found = false;
        for (JsonNode round : f.path("rounds")) {
            for (JsonNode receipt : round.path("receipts")) {
                if (receipt.path("site").asText().equals(probe.code())) {
                    assertThat(receipt.path("staleness").asInt()).isEqualTo(round.path("number").asInt() - 1);
                    found = true;
                }
            }
        }
        assertThat(found).as("the probe's late update is in a later round").isTrue();
    }

    @Test
    void aSiteThatSendsTheGlobalModelBackIsValuedAndFlaggedAsAFreeRider() {
        Api.Answer started = Api.startFederation("{\"name\": \"Free rider check\", \"rounds\": 2,"
                + " \"sites\": [\"energy\", \"community\", \"" + probe.code() + "\"],"
                + " \"incentives\": {\"rewardPerRound\": 60, \"minContribution\": 0}}");
        assertThat(started.status()).as(started.text()).isEqualTo(201);
        long id = started.json().path("id").asLong();
        NamedTensors state = SafeTensors.read(Api.get("/participant/federations/" + id + "/rounds/1/state", probe).body()).tensors();

        Api.Answer unchanged = Api.upload(id, 1, probe, GOOD_METADATA, SafeTensors.write(scaled(state, 0f)));
        assertThat(unchanged.status()).as(unchanged.text()).isEqualTo(201);
        Api.awaitFinished(id, Duration.ofMinutes(1));

        long end = System.nanoTime() + Duration.ofMinutes(1).toNanos();
        JsonNode round;
        while ((round = Api.get("/federations/" + id).json().path("rounds").get(0)).path("contributions").size() < 3) {
            assertThat(System.nanoTime()).as(round.toString()).isLessThan(end);
            CivitasServer.sleep(200);
        }
        assertThat(round.path("contributions").path(probe.code()).asDouble()).isLessThanOrEqualTo(0);
        assertThat(round.path("freeRiders").path(probe.code()).asText()).startsWith("sent the global model back unchanged");
        assertThat(round.path("freeRiders").has("energy")).isFalse();

        // The contribution rule: the probe does not receive the next global model, and round 2 does not wait for it
        JsonNode finished = Api.awaitFinished(id, Duration.ofMinutes(1));
        assertThat(finished.path("status").asText()).isEqualTo("COMPLETED");
        JsonNode second = finished.path("rounds").get(1);
        assertThat(second.path("withheld").path(probe.code()).asText()).startsWith("in round 1: free rider (sent the global model back");
        assertThat(second.path("receipts").findValuesAsText("site")).containsExactlyInAnyOrder("energy", "community");
        Api.Answer refused = Api.get("/participant/federations/" + id + "/rounds/2/state", probe);
        assertThat(refused.status()).isEqualTo(403);
        assertThat(refused.json().path("error").asText()).contains("withheld from round 2").contains("free rider");
        JsonNode withheldAudit = Api.get("/audit?prefix=federation.model-withheld").json();
        assertThat(withheldAudit.findValuesAsText("subject")).contains("federation " + id + " round 2 site " + probe.code());
    }

    @Test
    void aSiteThatAnsweredItsRoundIsHeldByALongPollUntilItsNextRoundOpens() throws Exception {
        // Prepare: two sites the test drives; the early one answers round 1, which then waits for the late one
        Api.SiteCredentials early = register("poll-waiting-" + CivitasServer.db());
        Api.SiteCredentials late = register("poll-closing-" + CivitasServer.db());
        Api.Answer started = Api.startFederation("{\"name\": \"Long poll check\", \"sites\": [\"" + early.code() + "\", \""
                + late.code() + "\"], \"rounds\": 2, \"roundTimeoutSeconds\": 600}");
        assertThat(started.status()).as(started.text()).isEqualTo(201);
        long id = started.json().path("id").asLong();
        NamedTensors state = SafeTensors.read(Api.get("/participant/federations/" + id + "/rounds/1/state", early).body()).tensors();
        assertThat(Api.upload(id, 1, early, GOOD_METADATA, SafeTensors.write(scaled(state, 0.01f))).status()).isEqualTo(201);
        Api.Answer negative = Api.get("/participant/tasks?wait=-1", early);
        assertThat(negative.status()).isEqualTo(400);
        assertThat(negative.json().path("error").asText()).contains("wait must be 0 to 30 seconds, was -1");

        // Execute: the early site long-polls; once the server holds the poll, the late site's update closes round 1
        java.util.concurrent.CompletableFuture<Api.Answer> poll = java.util.concurrent.CompletableFuture.supplyAsync(
                () -> Api.get("/participant/tasks?wait=30", early));
        String site = "site=\"" + early.code() + "\"";
        long end = System.nanoTime() + Duration.ofMinutes(1).toNanos();
        while (ServerProcess.metric(CivitasServer.metrics(), "civitas_polls_held_total", site) < 1) {
            assertThat(poll).as("a site with nothing to do is held, not answered at once").isNotDone();
            assertThat(System.nanoTime()).as("the server holds the poll").isLessThan(end);
            CivitasServer.sleep(100);
        }
        assertThat(Api.upload(id, 1, late, GOOD_METADATA, SafeTensors.write(scaled(state, 0.02f))).status()).isEqualTo(201);

        // Assert: the held poll is answered with round 2, because it opened, before the wait ran out
        Api.Answer answer = poll.get(2, java.util.concurrent.TimeUnit.MINUTES);
        assertThat(answer.status()).as(answer.text()).isEqualTo(200);
        JsonNode task = java.util.stream.StreamSupport.stream(answer.json().spliterator(), false)
                .filter(t -> t.path("federationId").asLong() == id).findFirst().orElseThrow(() -> new AssertionError(answer.text()));
        assertThat(task.path("round").asInt()).isEqualTo(2);
        assertThat(answer.header("X-Civitas-Poll-After")).isEqualTo("1");
        String metrics = CivitasServer.metrics();
        assertThat(ServerProcess.metric(metrics, "civitas_polls_held_answered_total", "by=\"task\"," + site)).isEqualTo(1);
        assertThat(ServerProcess.metric(metrics, "civitas_polls_held_answered_total", "by=\"deadline\"," + site)).isZero();
    }

    @Test
    void showsASiteOnlyItsOpenTasksAndRefusesStrangers() {
        Api.Answer tasks = Api.get("/participant/tasks", outsider);
        assertThat(tasks.status()).isEqualTo(200);
        assertThat(tasks.json().findValuesAsText("federationId")).doesNotContain(Long.toString(federation));
        assertThat(tasks.header("X-Civitas-Poll-After")).as("no round is open for it: it polls seldom").isEqualTo("15");

        Api.Answer stranger = Api.get("/participant/tasks", new Api.SiteCredentials("nobody", null));
        assertThat(stranger.status()).isEqualTo(401);
        assertThat(stranger.json().path("error").asText()).contains("unknown site 'nobody'");

        Api.Answer foreignState = Api.get("/participant/federations/" + federation + "/rounds/1/state", outsider);
        assertThat(foreignState.status()).isEqualTo(403);
    }

    @Test
    void aSiteWithAKeySignsEachUpdateAndAReplayedUploadIsRefused() {
        // Prepare: a site registers its Ed25519 key; another key is not accepted in its place
        Api.SiteCredentials signer = register("signer-" + CivitasServer.db());
        java.security.KeyPair keys = UpdateSignature.newKeyPair();
        Api.Answer registered = Api.putJson("/participant/signing-key", "{\"publicKey\": \"" + UpdateSignature.encode(keys.getPublic())
                + "\"}", signer);
        assertThat(registered.status()).as(registered.text()).isEqualTo(200);
        assertThat(registered.json().path("fingerprint").asText()).isEqualTo(UpdateSignature.fingerprint(UpdateSignature.encode(keys.getPublic())));
        java.security.KeyPair thief = UpdateSignature.newKeyPair();
        Api.Answer replaced = Api.putJson("/participant/signing-key", "{\"publicKey\": \"" + UpdateSignature.encode(thief.getPublic())
                + "\"}", signer);
        assertThat(replaced.status()).isEqualTo(409);
        assertThat(replaced.json().path("error").asText()).contains("already has another signing key");
        Api.Answer started = Api.startFederation("{\"name\": \"Signature check\", \"sites\": [\"energy\", \"" + signer.code() + "\"],"
                + " \"rounds\": 1, \"roundTimeoutSeconds\": 600}");
        assertThat(started.status()).as(started.text()).isEqualTo(201);
        long id = started.json().path("id").asLong();
        NamedTensors state = SafeTensors.read(Api.get("/participant/federations/" + id + "/rounds/1/state", signer).body()).tensors();
        byte[] good = SafeTensors.write(scaled(state, 0.01f));
        byte[] metadata = GOOD_METADATA.getBytes(java.nio.charset.StandardCharsets.UTF_8);
        String nonce = UpdateSignature.newNonce();

        // Execute + Assert: unsigned, signed for other bytes, signed by another key: each refused
        refused(Api.upload(id, 1, signer, GOOD_METADATA, good), 401, "BAD_SIGNATURE",
                "signs its updates: send the X-Civitas-Nonce and X-Civitas-Signature headers");
        String forOther = UpdateSignature.sign(keys.getPrivate(), signer.code(), id, 1, nonce, SafeTensors.write(scaled(state, 0.02f)), metadata);
        refused(Api.uploadSigned(id, 1, signer, GOOD_METADATA, good, nonce, forOther), 401, "BAD_SIGNATURE", "does not verify");
        String byThief = UpdateSignature.sign(thief.getPrivate(), signer.code(), id, 1, nonce, good, metadata);
        refused(Api.uploadSigned(id, 1, signer, GOOD_METADATA, good, nonce, byThief), 401, "BAD_SIGNATURE", "does not verify");
        refused(Api.uploadSigned(id, 1, signer, "{\"sampleCount\": 5000, \"trainLoss\": 0.9, \"globalLoss\": 1.6}", good, nonce,
                UpdateSignature.sign(keys.getPrivate(), signer.code(), id, 1, nonce, good, metadata)), 401, "BAD_SIGNATURE", "does not verify");

        // The signed upload is accepted; the same request sent again is a replay
        String signature = UpdateSignature.sign(keys.getPrivate(), signer.code(), id, 1, nonce, good, metadata);
        Api.Answer accepted = Api.uploadSigned(id, 1, signer, GOOD_METADATA, good, nonce, signature);
        assertThat(accepted.status()).as(accepted.text()).isEqualTo(201);
        refused(Api.uploadSigned(id, 1, signer, GOOD_METADATA, good, nonce, signature), 409, "REPLAYED", "already sent nonce " + nonce);
        assertThat(Api.awaitFinished(id, Duration.ofMinutes(2)).path("status").asText()).isEqualTo("COMPLETED");

        // The hosted sites sign theirs too
        String accepts = Api.get("/audit?prefix=update.accepted&limit=500").text();
        assertThat(accepts).contains("signed by Ed25519 key " + UpdateSignature.fingerprint(UpdateSignature.encode(keys.getPublic())));
        assertThat(Api.get("/audit?prefix=site.signing-key&limit=500").text()).contains("site:energy");
    }

    private static void refused(Api.Answer answer, int status, String reason, String message) {
        assertThat(answer.status()).as(answer.text()).isEqualTo(status);
        JsonNode body = answer.json();
        if (reason != null) {
            assertThat(body.path("reason").asText()).isEqualTo(reason);
        }
        if (message != null) {
            assertThat(body.path("error").asText()).contains(message);
        }
    }

    private JsonNode round(int number) {
        return Api.get("/federations/" + federation).json().path("rounds").get(number - 1);
    }

    private int updatesIn(int number) {
        JsonNode r = round(number);
        return r == null ? 0 : r.path("updates").asInt();
    }

    private void awaitUpdates(int expected, int number) {
        long end = System.nanoTime() + Duration.ofMinutes(1).toNanos();
        while (updatesIn(number) < expected) {
            if (System.nanoTime() > end) {
                throw new AssertionError("round " + number + " did not reach " + expected + " updates: " + round(number));
            }
            CivitasServer.sleep(200);
        }
    }

    private JsonNode awaitRoundStatus(int number, String status) {
        long end = System.nanoTime() + Duration.ofMinutes(1).toNanos();
        JsonNode r;
        while (!status.equals((r = round(number)).path("status").asText())) {
            if (System.nanoTime() > end) {
                throw new AssertionError("round " + number + " is not " + status + ": " + r);
            }
            CivitasServer.sleep(200);
        }
        return r;
    }

    private static long spooledFiles() {
        Path spool = CivitasServer.dataDir().resolve("coordinator").resolve("updates");
        if (!Files.exists(spool)) {
            return 0;
        }
        try (Stream<Path> files = Files.list(spool)) {
            return files.count();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static NamedTensors scaled(NamedTensors state, float factor) {
        NamedTensors.Builder b = NamedTensors.builder();
        state.forEach((name, t) -> {
            float[] v = new float[t.size()];
            for (int i = 0; i < v.length; i++) {
                v[i] = factor * (i % 7 - 3);
            }
            b.put(name, new Tensor(t.shape(), v));
        });
        return b.build();
    }

    private static byte[] renamed(NamedTensors state) {
        return SafeTensors.write(NamedTensors.builder()
                .put("linear.kernel", state.get("linear.weight").copy())
                .put("linear.bias", state.get("linear.bias").copy()).build());
    }
}
