package org.civitas.it;

import com.fasterxml.jackson.databind.JsonNode;
import org.civitas.operations.tls.MutualTls;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The consortium as enterprises deploy it: a coordinator and three participant servers, each its
 * own process with its own ports, settings and database (the coordinator on PostgreSQL, each site
 * on its own H2 file), joined the way the README's "Join a consortium" section says, and talking
 * over mutual TLS with certificates from a consortium CA made by {@code consortium-ca.sh}. A full
 * federation runs while one participant is killed mid-round (the rounds complete with the other
 * two, at the plan's minimum) and then the coordinator is killed mid-round and started again (the
 * round continues from the database: the updates it had accepted are aggregated, once).
 */
class MultiServerIT {

    private static final String SCHEMA = "civitas_multiserver";
    private static final String ADMIN_PASSWORD = Consortium.ADMIN_PASSWORD;
    private static final int ROUNDS = 4;
    private static final String TLS_PASSWORD = "consortium-tls-1";
    private static final Path SERVER_CONFIG = Path.of("..", "server-config", "src", "main").toAbsolutePath().normalize();
    /** The site whose server trains with the reference Python trainer ({@code civitas.worker.command}). */
    private static final String PYTHON_SITE = "urban";

    private static Path work;
    private static Path ca;
    private static ServerProcess coordinator;
    private static final Consortium consortium = new Consortium(() -> coordinator.api());
    private static final Map<String, ServerProcess> participants = new LinkedHashMap<>();

    @BeforeAll
    static void startTheCoordinator() {
        work = Path.of(System.getProperty("civitas.it.work.dir", "target/it-multiserver")).toAbsolutePath();
        ServerProcess.deleteRecursively(work);
        CivitasServer.resetPostgresSchema(SCHEMA);
        ca = work.resolve("ca");
        consortiumCa("init");
        for (String name : List.of("coordinator", "energy", "community", "urban")) {
            consortiumCa("issue", name);
        }
        coordinator = coordinatorServer().configure(SERVER_CONFIG.resolve("cli/configure-mtls.cli"), Map.of("CIVITAS_TLS_PASSWORD", TLS_PASSWORD))
                .start().awaitReady(Duration.ofMinutes(3));
    }

    @AfterAll
    static void stopEverything() {
        participants.values().forEach(ServerProcess::close);
        if (coordinator != null) {
            coordinator.close();
        }
    }

    private static ServerProcess coordinatorServer() {
        List<String> properties = new ArrayList<>(List.of("-Dcivitas.role=coordinator",
                "-Dcivitas.participant.require-signed-updates=true", "-Dcivitas.participant.require-client-certificate=true"));
        properties.addAll(tlsProperties("coordinator"));
        properties.addAll(CivitasServer.postgresProperties(SCHEMA));
        return new ServerProcess("coordinator", serverDir(), work.resolve("coordinator"), work.resolve("coordinator").resolve("log"), 200, properties,
                Map.of("CIVITAS_ADMIN_INITIAL_PASSWORD", ADMIN_PASSWORD, "CIVITAS_TLS_PASSWORD", TLS_PASSWORD));
    }

    private static ServerProcess participantServer(String site, int portOffset, String token) {
        List<String> properties = new ArrayList<>(List.of("-Dcivitas.role=participant", "-Dcivitas.site.code=" + site,
                "-Dcivitas.coordinator.url=" + coordinator.httpsApi(), "-Dcivitas.site.demo-data=true"));
        properties.addAll(tlsProperties(site));
        Map<String, String> environment = new LinkedHashMap<>(Map.of("CIVITAS_SITE_TOKEN", token,
                "CIVITAS_ADMIN_INITIAL_PASSWORD", ADMIN_PASSWORD, "CIVITAS_TLS_PASSWORD", TLS_PASSWORD));
        String python = PYTHON_SITE.equals(site) ? PythonWithTorch.find("torch", "numpy", "PIL", "onnx") : null;
        if (python != null) {
            // The enterprise runs the reference Python trainer the server ships, in place of the bundled worker.
            environment.put("CIVITAS_WORKER_COMMAND", python + " " + serverDir().toAbsolutePath().resolve("civitas-python-trainer")
                    .resolve("trainer.py"));
        }
        return new ServerProcess(site, serverDir(), work.resolve(site), work.resolve(site).resolve("log"), portOffset, properties,
                environment);
    }

    private static List<String> tlsProperties(String name) {
        return List.of("-Dcivitas.tls.keystore=" + ca.resolve(name + ".p12"), "-Dcivitas.tls.truststore=" + ca.resolve("truststore.p12"));
    }

    /** The documented command that makes the consortium CA and its certificates. */
    private static void consortiumCa(String... args) {
        List<String> command = new ArrayList<>(List.of("bash", SERVER_CONFIG.resolve("scripts/consortium-ca.sh").toString(), args[0],
                ca.toString()));
        command.addAll(List.of(args).subList(1, args.length));
        try {
            Files.createDirectories(work);
            ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(work.resolve("consortium-ca.log").toFile()));
            pb.environment().put("CIVITAS_TLS_PASSWORD", TLS_PASSWORD);
            Process p = pb.start();
            if (!p.waitFor(1, TimeUnit.MINUTES) || p.exitValue() != 0) {
                throw new IllegalStateException("consortium-ca.sh " + List.of(args) + " failed; see " + work.resolve("consortium-ca.log"));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /**
     * A participant call over HTTPS as a site: with the client certificate issued to {@code certificate}
     * (null: none), trusting the consortium CA.
     */
    private static Api.Answer participantCall(String certificate, String url, String site, String token) throws Exception {
        SSLContext tls = MutualTls.sslContext(certificate == null ? null : ca.resolve(certificate + ".p12"), ca.resolve("truststore.p12"),
                TLS_PASSWORD.toCharArray());
        HttpClient http = HttpClient.newBuilder().sslContext(tls).connectTimeout(Duration.ofSeconds(5)).build();
        HttpResponse<byte[]> r = http.send(HttpRequest.newBuilder(URI.create(url))
                .header("X-Civitas-Site", site).header("Authorization", "Bearer " + token).GET().build(),
                HttpResponse.BodyHandlers.ofByteArray());
        return new Api.Answer(r.statusCode(), r.body());
    }

    private static Path serverDir() {
        return Path.of(System.getProperty("civitas.it.server.dir", "../ear/target/server"));
    }

    @Test
    void aFederationOfSeparateServersCompletesThroughAParticipantCrashAndACoordinatorRestart() throws Exception {
        // Prepare: the administrator registers the members, their sites and users; each enterprise starts its server.
        Map<String, String> tokens = consortium.join();
        int offset = 210;
        for (Map.Entry<String, String> site : tokens.entrySet()) {
            participants.put(site.getKey(), participantServer(site.getKey(), offset, site.getValue()).start());
            offset += 10;
        }
        participants.values().forEach(p -> p.awaitReady(Duration.ofMinutes(4)));
        consortium.awaitSigningKeysRegistered(tokens.keySet());

        // Mutual TLS: the sites reached the coordinator with their certificates (their keys are registered). A caller
        // with the right token but no certificate, or with another site's certificate, or over plain HTTP, is refused.
        String tasks = coordinator.httpsApi() + "/participant/tasks";
        Api.Answer noCertificate = participantCall(null, tasks, "community", tokens.get("community"));
        assertThat(noCertificate.status()).as(noCertificate.text()).isEqualTo(401);
        assertThat(noCertificate.json().path("error").asText()).contains("client certificate");
        Api.Answer otherSite = participantCall("energy", tasks, "community", tokens.get("community"));
        assertThat(otherSite.status()).as(otherSite.text()).isEqualTo(401);
        assertThat(otherSite.json().path("error").asText()).contains("names site 'energy', not 'community'");
        Api.Answer plain = participantCall(null, tasks.replace(coordinator.httpsApi(), coordinator.api()), "community", tokens.get("community"));
        assertThat(plain.status()).as(plain.text()).isEqualTo(401);
        Api.Answer certified = participantCall("community", tasks, "community", tokens.get("community"));
        assertThat(certified.status()).as(certified.text()).isEqualTo(200);

        String plan = "{\"name\": \"separate servers\", \"sites\": [\"energy\", \"community\", \"urban\"], \"rounds\": " + ROUNDS
                + ", \"quorum\": 3, \"minSites\": 2, \"roundTimeoutSeconds\": 30}";
        // 30 s a round: after the coordinator's restart a site's circuit breaker may hold its polls back for 15 s.
        JsonNode preview = consortium.asAdmin("/plans/preview", plan).json();
        for (String site : tokens.keySet()) {
            consortium.agree(plan, preview, site, "separate servers");
        }
        Api.Answer started = consortium.asAdmin("/federations", plan);
        assertThat(started.status()).as(started.text()).isEqualTo(201);
        long federation = started.json().path("id").asLong();

        // Execute 1: the urban site's server dies while round 2 is open.
        consortium.awaitFederation(federation, f -> Consortium.round(f, 2) != null, Duration.ofMinutes(2), "round 2 opened");
        participants.get("urban").kill();

        // Execute 2: the coordinator dies while a round holds the two survivors' updates and waits for the third.
        JsonNode beforeCrash = consortium.awaitFederation(federation, f -> Consortium.openRoundWith(f, 2) != null, Duration.ofMinutes(2),
                "an open round with two accepted updates");
        JsonNode interrupted = Consortium.openRoundWith(beforeCrash, 2);
        int crashedRound = interrupted.path("number").asInt();
        Set<String> acceptedBeforeCrash = Consortium.sites(interrupted);
        coordinator.kill();
        // Down means its port refuses connections; then it starts again on the same ports.
        CivitasServer.await(Duration.ofMinutes(1), "the coordinator's port to close", () -> {
            try (java.net.Socket probe = new java.net.Socket("127.0.0.1", 8080 + 200)) {
                return false;
            } catch (java.io.IOException refused) {
                return true;
            }
        });
        coordinator = coordinatorServer().start().awaitReady(Duration.ofMinutes(3));

        // Assert: the federation completes with every round aggregated once.
        JsonNode done = consortium.awaitFederation(federation, f -> !"RUNNING".equals(f.path("status").asText()), Duration.ofMinutes(4),
                "the federation finished");
        assertThat(done.path("status").asText()).as(done.toString()).isEqualTo("COMPLETED");
        assertThat(done.path("rounds")).hasSize(ROUNDS);
        done.path("rounds").forEach(r -> assertThat(r.path("status").asText()).as(r.toString()).isEqualTo("AGGREGATED"));

        // The round cut by the coordinator's crash was aggregated from exactly the updates accepted before it.
        JsonNode resumed = Consortium.round(done, crashedRound);
        assertThat(Consortium.sites(resumed)).isEqualTo(acceptedBeforeCrash).containsExactlyInAnyOrder("energy", "community");
        assertThat(resumed.path("updates").asInt()).isEqualTo(2);

        // Every round after the participant's crash closed at its deadline with the two others: the plan's minimum.
        for (JsonNode r : done.path("rounds")) {
            if (r.path("number").asInt() > 2) {
                assertThat(Consortium.sites(r)).as("round " + r.path("number")).containsExactlyInAnyOrder("energy", "community");
            }
        }

        // In the coordinator's database: one model version per round plus the initial one, one aggregation per
        // round in the audit chain, no receipt twice, and the chain intact across the crash.
        assertThat(done.path("rounds")).hasSize(ROUNDS);
        Consortium.assertEachRoundAggregatedOnce(SCHEMA, done);
        // The restarted coordinator's metrics count what it did since its start: the rounds it closed and the
        // bytes of the updates it accepted (the interrupted round's were accepted before the crash).
        String metrics = coordinator.metrics();
        assertThat(ServerProcess.metric(metrics, "civitas_rounds_closed_total", "outcome=\"aggregated\"")).isEqualTo(ROUNDS - crashedRound + 1);
        for (String site : List.of("energy", "community")) {
            double bytes = 0;
            for (JsonNode r : done.path("rounds")) {
                for (JsonNode u : r.path("receipts")) {
                    if (r.path("number").asInt() > crashedRound && site.equals(u.path("site").asText())) {
                        bytes += u.path("sizeBytes").asLong();
                    }
                }
            }
            assertThat(ServerProcess.metric(metrics, "civitas_update_received_bytes_total", "site=\"" + site + "\"")).as(site).isEqualTo(bytes);
            String own = participants.get(site).metrics();
            assertThat(ServerProcess.metric(own, "civitas_local_training_seconds_count", "site=\"" + site + "\"")).isGreaterThanOrEqualTo(ROUNDS);
            assertThat(ServerProcess.metric(own, "civitas_update_sent_bytes_total", "site=\"" + site + "\"")).isGreaterThan(bytes);
        }

        JsonNode verify = Api.call(coordinator.api() + "/audit/verify", "admin", ADMIN_PASSWORD, null).json();
        assertThat(verify.path("intact").asBoolean()).as(verify.toString()).isTrue();

        // The surviving sites trained every round; the killed one stopped at round 2.
        for (String site : List.of("energy", "community")) {
            JsonNode runs = Api.call(participants.get(site).api() + "/sites/runs", "admin", ADMIN_PASSWORD, null).json();
            Set<Integer> trained = new HashSet<>();
            runs.forEach(run -> {
                if (run.path("federationId").asLong() == federation && "UPLOADED".equals(run.path("status").asText())) {
                    trained.add(run.path("round").asInt());
                }
            });
            assertThat(trained).as(site + ": " + runs).containsAll(List.of(1, ROUNDS));
        }

        // Bring your own model across servers: an operator's ONNX image encoder, uploaded to the coordinator, reaches
        // each site's own server by its hash through the participant protocol, is checked there and trained with.
        byte[] encoder = Files.readAllBytes(Path.of("..", "batch-jobs", "model-worker", "src", "test", "resources", "onnx", "conv8.onnx"));
        String sha = java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256").digest(encoder));
        Consortium.created(Api.callBytes(coordinator.api() + "/model-artifacts?sha256=" + sha, "admin", ADMIN_PASSWORD, encoder));
        String model = Consortium.created(consortium.asAdmin("/model-manifests", "{\"name\": \"city-safety-onnx\", \"text\": {\"kind\": \"onnx\","
                + " \"artifact\": \"classpath:all-minilm-l6-v2.onnx\", \"tokenizer\": \"classpath:all-minilm-l6-v2-tokenizer.json\","
                + " \"sha256\": \"759c3cd2b7fe7e93933ad23c4c9181b7396442a2ed746ec7c1d46192c469c46e\", \"dim\": 384, \"maxTokens\": 64},"
                + " \"image\": {\"kind\": \"onnx\", \"size\": 32, \"artifact\": \"sha256:" + sha + "\", \"sha256\": \"" + sha + "\","
                + " \"dim\": 8, \"mean\": [0.5, 0.5, 0.5], \"std\": [0.25, 0.25, 0.25], \"layout\": \"NCHW\"},"
                + " \"fusion\": {\"hidden\": 32, \"seed\": 3}, \"adapter\": {\"rank\": 4, \"alpha\": 8, \"targets\": [\"fusion\"]}}"))
                .path("sha256").asText();
        Map<String, String> hashes = new LinkedHashMap<>();
        for (JsonNode d : consortium.asAdmin("/datasets", null).json()) {
            if ("city-safety".equals(d.path("name").asText())) {
                hashes.put(d.path("site").asText(), d.path("contentSha256").asText());
            }
        }
        String byoPlan = "{\"name\": \"own encoder\", \"sites\": [\"energy\", \"community\"], \"task\": \"city-safety\","
                + " \"modelManifest\": \"" + model + "\", \"rounds\": 1, \"localEpochs\": 1, \"roundTimeoutSeconds\": 120, \"datasets\": {"
                + "\"energy\": {\"name\": \"city-safety\", \"sha256\": \"" + hashes.get("energy") + "\"}, "
                + "\"community\": {\"name\": \"city-safety\", \"sha256\": \"" + hashes.get("community") + "\"}}}";
        JsonNode byoPreview = consortium.asAdmin("/plans/preview", byoPlan).json();
        for (String site : List.of("energy", "community")) {
            consortium.agree(byoPlan, byoPreview, site, "separate servers");
        }
        long own = Consortium.created(consortium.asAdmin("/federations", byoPlan)).path("id").asLong();
        JsonNode ownDone = consortium.awaitFederation(own, f -> !"RUNNING".equals(f.path("status").asText()), Duration.ofMinutes(4), "the own-encoder federation ends");
        assertThat(ownDone.path("status").asText()).as(ownDone.toString()).isEqualTo("COMPLETED");
        for (String site : List.of("energy", "community")) {
            Path fetched = work.resolve(site).resolve("data").resolve("civitas").resolve("artifacts").resolve(sha);
            assertThat(fetched).as(site + " fetched the encoder by its hash").exists();
            assertThat(Files.readAllBytes(fetched)).isEqualTo(encoder);
        }

        if (PythonWithTorch.find("torch", "numpy", "PIL", "onnx") == null) {
            System.err.println("MultiServerIT: no Python with PyTorch; the federation of a Java and a Python site is left out");
            return;
        }
        // An external trainer across servers: urban's enterprise starts its server again (it was killed above), with the
        // reference Python trainer as its model worker; energy keeps the bundled Java worker.
        participants.put(PYTHON_SITE, participantServer(PYTHON_SITE, 230, tokens.get(PYTHON_SITE)).start().awaitReady(Duration.ofMinutes(4)));
        String cnnModel = Consortium.created(consortium.asAdmin("/model-manifests", "{\"name\": \"city-safety-cnn\", \"text\": {\"kind\": \"onnx\","
                + " \"artifact\": \"classpath:all-minilm-l6-v2.onnx\", \"tokenizer\": \"classpath:all-minilm-l6-v2-tokenizer.json\","
                + " \"sha256\": \"759c3cd2b7fe7e93933ad23c4c9181b7396442a2ed746ec7c1d46192c469c46e\", \"dim\": 384, \"maxTokens\": 64},"
                + " \"image\": {\"kind\": \"cnn\", \"size\": 32, \"channels\": [8, 16]},"
                + " \"fusion\": {\"hidden\": 32, \"seed\": 11}, \"adapter\": {\"rank\": 4, \"alpha\": 8, \"targets\": [\"text_proj\", \"fusion\"]}}"))
                .path("sha256").asText();
        String[] urbanDataset = new String[1];
        CivitasServer.await(Duration.ofMinutes(2), "urban's city-safety dataset registered", () -> {
            for (JsonNode d : consortium.asAdmin("/datasets", null).json()) {
                if ("city-safety".equals(d.path("name").asText()) && PYTHON_SITE.equals(d.path("site").asText())) {
                    urbanDataset[0] = d.path("contentSha256").asText();
                }
            }
            return urbanDataset[0] != null;
        });
        String urbanData = urbanDataset[0];
        int mixedRounds = 3;
        String mixedPlan = "{\"name\": \"java and python\", \"sites\": [\"energy\", \"urban\"], \"task\": \"city-safety\","
                + " \"modelManifest\": \"" + cnnModel + "\", \"rounds\": " + mixedRounds + ", \"localEpochs\": 2, \"learningRate\": 0.01,"
                + " \"quorum\": 2, \"roundTimeoutSeconds\": 180, \"datasets\": {"
                + "\"energy\": {\"name\": \"city-safety\", \"sha256\": \"" + hashes.get("energy") + "\"}, "
                + "\"urban\": {\"name\": \"city-safety\", \"sha256\": \"" + urbanData + "\"}}}";
        JsonNode mixedPreview = consortium.asAdmin("/plans/preview", mixedPlan).json();
        for (String site : List.of("energy", PYTHON_SITE)) {
            consortium.agree(mixedPlan, mixedPreview, site, "separate servers");
        }
        long mixed = Consortium.created(consortium.asAdmin("/federations", mixedPlan)).path("id").asLong();
        JsonNode mixedDone = consortium.awaitFederation(mixed, f -> !"RUNNING".equals(f.path("status").asText()), Duration.ofMinutes(6),
                "the federation of a Java and a Python site ends");
        assertThat(mixedDone.path("status").asText()).as(mixedDone.toString()).isEqualTo("COMPLETED");
        // Both updates were accepted in every round.
        for (JsonNode r : mixedDone.path("rounds")) {
            assertThat(Consortium.sites(r)).as(r.toString()).containsExactlyInAnyOrder("energy", PYTHON_SITE);
            assertThat(r.path("updates").asInt()).isEqualTo(2);
        }
        // Urban's updates came from the Python trainer: its server's log names the worker that answered.
        String urbanLog;
        try (var logs = Files.walk(work.resolve(PYTHON_SITE).resolve("log"))) {
            urbanLog = logs.filter(Files::isRegularFile).map(f -> {
                try {
                    return Files.readString(f);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }).reduce("", String::concat);
        }
        assertThat(urbanLog).contains("civitas python-trainer");
        // The two updates of a round are the same tensors: names, dtypes and shapes, in the same order.
        assertThat(updateHeader(outboxUpdate(PYTHON_SITE, mixed, 1))).isEqualTo(updateHeader(outboxUpdate("energy", mixed, 1)));
        // The model the sites receive improves on their held-out data from the first round to the last.
        assertThat(Consortium.round(mixedDone, mixedRounds).path("heldoutMacroF1").asDouble())
                .as(mixedDone.path("rounds").toString())
                .isGreaterThan(Consortium.round(mixedDone, 1).path("heldoutMacroF1").asDouble() + 0.05);
    }

    /** A site's update of a round as it left the site (its outbox). */
    private static Path outboxUpdate(String site, long federation, int round) throws IOException {
        String name = "federation-" + federation + "-round-" + round + ".safetensors";
        try (var files = Files.walk(work.resolve(site))) {
            return files.filter(f -> f.getFileName().toString().equals(name)).findFirst()
                    .orElseThrow(() -> new AssertionError("no " + name + " at " + site));
        }
    }

    /** Each tensor's name, dtype and shape as a safetensors file's header declares them, in file order. */
    private static List<String> updateHeader(Path file) throws IOException {
        byte[] bytes = Files.readAllBytes(file);
        long length = java.nio.ByteBuffer.wrap(bytes, 0, 8).order(java.nio.ByteOrder.LITTLE_ENDIAN).getLong();
        JsonNode header = Api.JSON.readTree(new String(bytes, 8, (int) length, java.nio.charset.StandardCharsets.UTF_8));
        Map<Long, String> byOffset = new TreeMap<>();
        header.fields().forEachRemaining(e -> {
            if (!"__metadata__".equals(e.getKey())) {
                byOffset.put(e.getValue().path("data_offsets").get(0).asLong(),
                        e.getKey() + " " + e.getValue().path("dtype").asText() + " " + e.getValue().path("shape"));
            }
        });
        return List.copyOf(byOffset.values());
    }

    /** The value of a metric's sample whose labels include {@code label}, from Prometheus text; 0 when absent. */
}
