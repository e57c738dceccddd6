package org.civitas.it;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.civitas.federation.core.identity.UpdateSignature;
import org.civitas.federation.core.model.manifest.ModelManifest;

import java.net.http.HttpClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.IntStream;
import java.util.stream.Stream;

/**
 * The load harness (a bench, not a test): one coordinator server on this machine, on PostgreSQL,
 * with a 2 GB heap, and up to a hundred {@link SimulatedSite}s in this process speaking the real
 * participant protocol over HTTP. Each site is its own member enterprise with its own token,
 * Ed25519 key, registered dataset and approved agreement; each federation runs a few rounds of a
 * model of about a million parameters, and then its sites sit idle, polling as they are told.
 * Printed per consortium size: the round overhead (opening to aggregated, less the slowest site's
 * own time), the coordinator's CPU and peak heap, what the database and the data folder grow by
 * per round, and the requests per second idle sites send.
 *
 * <p>{@code -Dload.sites=10,30,100}, {@code -Dload.rounds=5}, {@code -Dload.idle-seconds=45},
 * {@code -Dload.model=1m|40mb} (the second: a two-tower model of 10.7M parameters, 43 MB an update),
 * {@code -Dload.wait=25} (the seconds a site's poll may be held; 0 polls as sites did before long polls).
 */
public final class LoadHarness {

    private static final int PORT_OFFSET = 400;
    private static final String SCHEMA = "civitas_load";
    private static final String PASSWORD = "member-password-1";
    private static final String TASK = "load-incidents";
    private static final String DATASET = "load-incidents";
    private static final int SAMPLES = 1000;
    private static final int WAIT_SECONDS = Integer.getInteger("load.wait", 25);

    /** The models a load run federates: a CNN of about a million parameters, or a two-tower model of 43 MB updates. */
    enum Model {
        ONE_MILLION(List.of("image"), 10, "{\"name\": \"load-cnn\", \"image\": {\"kind\": \"cnn\", \"size\": 32,"
                + " \"channels\": [64, 128, 256, 256]}, \"fusion\": {\"hidden\": 256, \"seed\": 1}, \"adapter\": {\"rank\": 16,"
                + " \"alpha\": 32, \"targets\": [\"fusion\"]}}"),
        FORTY_MB(List.of("image", "text"), 1000, "{\"name\": \"load-two-towers\", \"text\": {\"kind\": \"onnx\","
                + " \"artifact\": \"classpath:all-minilm-l6-v2.onnx\", \"tokenizer\": \"classpath:all-minilm-l6-v2-tokenizer.json\","
                + " \"sha256\": \"759c3cd2b7fe7e93933ad23c4c9181b7396442a2ed746ec7c1d46192c469c46e\", \"dim\": 384, \"maxTokens\": 64,"
                + " \"mode\": \"adapters\", \"layers\": 6, \"heads\": 12}, \"image\": {\"kind\": \"cnn\", \"size\": 32,"
                + " \"channels\": [64, 128, 256, 256]}, \"fusion\": {\"hidden\": 4096, \"seed\": 1}, \"adapter\": {\"rank\": 256,"
                + " \"alpha\": 512, \"targets\": [\"query\", \"value\", \"text_proj\", \"fusion\"]}}");

        final List<String> modalities;
        final int labels;
        final String manifest;

        Model(List<String> modalities, int labels, String manifest) {
            this.modalities = modalities;
            this.labels = labels;
            this.manifest = manifest;
        }

        List<String> labelNames() {
            return IntStream.range(0, labels).mapToObj(i -> String.format(Locale.ROOT, "class-%03d", i)).toList();
        }

        long parameters() {
            return ModelManifest.parse(manifest).withLabels(labelNames()).trainableShapes().values().stream()
                    .mapToLong(shape -> Arrays.stream(shape).asLongStream().reduce(1, (a, b) -> a * b)).sum();
        }
    }

    private final Model model;
    private final int rounds;
    private final int idleSeconds;
    private final Path work;
    private final ServerProcess coordinator;
    private final Consortium admin;
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(10)).executor(Executors.newFixedThreadPool(8)).build();
    private final AtomicLong requests = new AtomicLong();
    private final Semaphore preparing = new Semaphore(4);
    private final SplittableRandom random = new SplittableRandom(2026);
    private final List<Member> members = new ArrayList<>();
    private String manifestSha256;

    /** A member enterprise with one site: its token and its signing key. */
    private record Member(String enterprise, String site, String token, KeyPair keys, String datasetSha256) {
    }

    /** One consortium size's figures. */
    private record Row(int sites, int rounds, double roundSeconds, double ownSeconds, double overheadSeconds, double aggregationSeconds,
                       double cpuSecondsPerRound, double cpuShare, long peakHeapBytes, long dbBytesPerRound, long diskBytesPerRound,
                       double idleRequestsPerSecond) {
    }

    private LoadHarness(Model model, int rounds, int idleSeconds, Path work, String heap) {
        this.model = model;
        this.rounds = rounds;
        this.idleSeconds = idleSeconds;
        this.work = work;
        List<String> properties = new ArrayList<>(List.of("-Dcivitas.role=coordinator", "-Dcivitas.node.name=load-coordinator",
                "-Dcivitas.data.dir=" + work.resolve("data"), "-Dcivitas.participant.require-signed-updates=true",
                "-Dcivitas.upload.max-bytes=" + 64L * 1024 * 1024));
        properties.addAll(CivitasServer.postgresProperties(SCHEMA));
        Path serverDir = Path.of(System.getProperty("civitas.it.server.dir", "../ear/target/server"));
        this.coordinator = new ServerProcess("coordinator", serverDir, work.resolve("coordinator"), work.resolve("log"), PORT_OFFSET,
                properties, Map.of("CIVITAS_ADMIN_INITIAL_PASSWORD", Consortium.ADMIN_PASSWORD, "JBOSS_JAVA_SIZING", "-Xms256m -Xmx" + heap));
        this.admin = new Consortium(coordinator::api);
    }

    public static void main(String[] args) throws Exception {
        List<Integer> sizes = Arrays.stream(System.getProperty("load.sites", "10,30,100").split(",")).map(String::trim)
                .map(Integer::parseInt).toList();
        Model model = switch (System.getProperty("load.model", "1m")) {
            case "1m" -> Model.ONE_MILLION;
            case "40mb" -> Model.FORTY_MB;
            default -> throw new IllegalArgumentException("load.model must be 1m or 40mb, was " + System.getProperty("load.model"));
        };
        String heap = System.getProperty("load.heap", "2g");
        Path work = Path.of(System.getProperty("load.work.dir", "target/load-harness")).toAbsolutePath();
        ServerProcess.deleteRecursively(work);
        CivitasServer.resetPostgresSchema(SCHEMA);
        LoadHarness harness = new LoadHarness(model, Integer.getInteger("load.rounds", 5), Integer.getInteger("load.idle-seconds", 45),
                work, heap);
        Runtime.getRuntime().addShutdownHook(new Thread(harness.coordinator::close));
        try {
            harness.coordinator.start().awaitReady(Duration.ofMinutes(4));
            System.out.printf(Locale.ROOT, "load harness: %s model, %,d parameters (%.1f MB an update), coordinator heap %s%n",
                    model.name().toLowerCase(Locale.ROOT), model.parameters(), model.parameters() * 4 / 1e6, heap);
            harness.registerConsortium(sizes.stream().mapToInt(Integer::intValue).max().orElseThrow());
            List<Row> rows = new ArrayList<>();
            for (int size : sizes) {
                rows.add(harness.federate(size));
            }
            String table = table(rows);
            System.out.println(table);
            Files.writeString(work.resolve("results.md"), table);
        } catch (Exception | AssertionError e) {
            e.printStackTrace();
            harness.coordinator.close();
            System.exit(1);
        }
        harness.coordinator.close();
        // The sites' HTTP client keeps threads of its own.
        System.exit(0);
    }

    /** The consortium's task and model, then every member: enterprise, site, users, signing key, dataset. */
    private void registerConsortium(int size) throws Exception {
        Consortium.created(admin.asAdmin("/users", "{\"username\": \"consortium-compliance\", \"password\": \"" + PASSWORD
                + "\", \"roles\": [\"COMPLIANCE_OFFICER\"]}"));
        Consortium.created(admin.asAdmin("/tasks", "{\"name\": \"" + TASK + "\", \"description\": \"Incidents, for the load harness\","
                + " \"labels\": " + Api.JSON.writeValueAsString(model.labelNames()) + ", \"modalities\": "
                + Api.JSON.writeValueAsString(model.modalities) + ", \"primaryMetric\": \"accuracy\"}"));
        manifestSha256 = Consortium.created(admin.asAdmin("/model-manifests", model.manifest)).path("sha256").asText();
        long start = System.nanoTime();
        ExecutorService pool = Executors.newFixedThreadPool(4);
        List<Future<Member>> registered = new ArrayList<>();
        for (int i = 0; i < size; i++) {
            int n = i;
            registered.add(pool.submit(() -> registerMember(n)));
        }
        for (Future<Member> m : registered) {
            members.add(m.get());
        }
        pool.shutdown();
        System.out.printf(Locale.ROOT, "registered %d members in %.1f s%n", size, (System.nanoTime() - start) / 1e9);
    }

    private Member registerMember(int n) {
        String enterprise = String.format(Locale.ROOT, "load-member-%03d", n);
        String site = String.format(Locale.ROOT, "load-site-%03d", n);
        Consortium.created(admin.asAdmin("/enterprises", "{\"code\": \"" + enterprise + "\", \"name\": \"Member " + n
                + "\", \"sector\": \"load\"}"));
        String token = Consortium.created(admin.asAdmin("/sites", "{\"code\": \"" + site + "\", \"enterprise\": \"" + enterprise + "\"}"))
                .path("token").asText();
        for (String[] user : List.of(new String[] {"steward", "DATA_STEWARD"}, new String[] {"compliance", "COMPLIANCE_OFFICER"})) {
            Consortium.created(admin.asAdmin("/users", "{\"username\": \"" + enterprise + "-" + user[0] + "\", \"password\": \"" + PASSWORD
                    + "\", \"enterprise\": \"" + enterprise + "\", \"roles\": [\"" + user[1] + "\"]}"));
        }
        KeyPair keys = UpdateSignature.newKeyPair();
        Api.Answer key = siteCall("PUT", "/participant/signing-key", site, token, "{\"publicKey\": \"" + UpdateSignature.encode(keys.getPublic()) + "\"}");
        check(key, 200, "signing key of " + site);
        String sha = String.format(Locale.ROOT, "%064x", new java.math.BigInteger(1, (site + "/" + DATASET).getBytes())).substring(0, 64);
        Map<String, Integer> histogram = new java.util.LinkedHashMap<>();
        List<String> labels = model.labelNames();
        for (int i = 0; i < SAMPLES; i++) {
            histogram.merge(labels.get(i % labels.size()), 1, Integer::sum);
        }
        int texts = model.modalities.contains("text") ? SAMPLES : 0;
        try {
            check(siteCall("POST", "/participant/datasets", site, token, "{\"name\": \"" + DATASET + "\", \"samples\": " + SAMPLES
                    + ", \"images\": " + SAMPLES + ", \"texts\": " + texts + ", \"labeled\": " + SAMPLES + ", \"labelHistogram\": "
                    + Api.JSON.writeValueAsString(histogram) + ", \"skippedLines\": 0, \"contentSha256\": \"" + sha + "\", \"task\": \""
                    + TASK + "\", \"taskVersion\": 1}"), 201, "dataset of " + site);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
        return new Member(enterprise, site, token, keys, sha);
    }

    private Api.Answer siteCall(String method, String path, String site, String token, String json) {
        try {
            var request = java.net.http.HttpRequest.newBuilder(java.net.URI.create(coordinator.api() + path))
                    .header("X-Civitas-Site", site).header("Authorization", "Bearer " + token).header("Content-Type", "application/json")
                    .timeout(Duration.ofMinutes(1)).method(method, java.net.http.HttpRequest.BodyPublishers.ofString(json));
            var r = http.send(request.build(), java.net.http.HttpResponse.BodyHandlers.ofByteArray());
            return new Api.Answer(r.statusCode(), r.body(), r.headers().map());
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static void check(Api.Answer answer, int status, String what) {
        if (answer.status() != status) {
            throw new IllegalStateException(what + ": " + answer.status() + " " + answer.text());
        }
    }

    /** One federation of the first {@code size} members, then an idle spell; answers its figures. */
    private Row federate(int size) throws Exception {
        List<Member> taking = members.subList(0, size);
        ObjectNode plan = Api.JSON.createObjectNode().put("name", "Load of " + size + " sites").put("task", TASK)
                .put("modelManifest", manifestSha256).put("rounds", rounds).put("quorum", size).put("minSites", size)
                .put("roundTimeoutSeconds", 1800).put("localEpochs", 1).put("learningRate", 0.01).put("batchSize", 16);
        ArrayNode sites = plan.putArray("sites");
        ObjectNode datasets = plan.putObject("datasets");
        for (Member m : taking) {
            sites.add(m.site());
            datasets.putObject(m.site()).put("name", DATASET).put("sha256", m.datasetSha256());
        }
        String planJson = Api.JSON.writeValueAsString(plan);
        Api.Answer preview = admin.asAdmin("/plans/preview", planJson);
        check(preview, 200, "plan preview");
        long agreeStart = System.nanoTime();
        ExecutorService pool = Executors.newFixedThreadPool(4);
        List<Future<?>> agreed = new ArrayList<>();
        for (Member m : taking) {
            agreed.add(pool.submit(() -> agree(planJson, preview.json(), m)));
        }
        for (Future<?> f : agreed) {
            f.get();
        }
        pool.shutdown();
        double agreeSeconds = (System.nanoTime() - agreeStart) / 1e9;

        Duration cpuBefore = coordinator.cpuTime();
        long dbBefore = databaseBytes();
        long diskBefore = folderBytes(work.resolve("data"));
        HeapSampler heap = new HeapSampler(coordinator);
        Thread sampler = new Thread(heap, "heap-sampler");
        sampler.start();
        long wallStart = System.nanoTime();
        long federation = Consortium.created(admin.asAdmin("/federations", planJson)).path("id").asLong();
        List<SimulatedSite> simulated = new ArrayList<>();
        List<Thread> threads = new ArrayList<>();
        for (Member m : taking) {
            SimulatedSite s = new SimulatedSite(m.site(), m.token(), m.keys(), coordinator.api(), work.resolve("sites").resolve(m.site()),
                    http, preparing, requests, random.nextLong(1000), WAIT_SECONDS, SAMPLES, random.nextLong());
            simulated.add(s);
            Thread t = new Thread(s, m.site());
            t.setDaemon(true);
            threads.add(t);
            t.start();
        }
        JsonNode finished = awaitFinished(federation, Duration.ofMinutes(30 + rounds * 5L));
        double wallSeconds = (System.nanoTime() - wallStart) / 1e9;
        Duration cpuAfter = coordinator.cpuTime();
        heap.stop();
        sampler.join();
        long dbAfter = databaseBytes();
        long diskAfter = folderBytes(work.resolve("data"));
        List<String> failures = simulated.stream().flatMap(s -> s.failures().stream()).toList();
        if (!"COMPLETED".equals(finished.path("status").asText()) || !failures.isEmpty()) {
            throw new IllegalStateException("federation " + federation + " " + finished.path("status").asText() + " "
                    + finished.path("failureReason").asText() + "; site failures: " + failures);
        }

        double[] roundSeconds = new double[rounds];
        double[] own = new double[rounds];
        double[] aggregation = new double[rounds];
        for (JsonNode r : finished.path("rounds")) {
            int i = r.path("number").asInt() - 1;
            Instant opened = Instant.parse(r.path("openedAt").asText());
            Instant closed = Instant.parse(r.path("closedAt").asText());
            Instant lastUpload = opened;
            for (JsonNode receipt : r.path("receipts")) {
                Instant received = Instant.parse(receipt.path("receivedAt").asText());
                lastUpload = received.isAfter(lastUpload) ? received : lastUpload;
            }
            if (r.path("receipts").size() != size) {
                throw new IllegalStateException("round " + (i + 1) + " aggregated " + r.path("receipts").size() + " of " + size + " updates");
            }
            roundSeconds[i] = Duration.between(opened, closed).toNanos() / 1e9;
            aggregation[i] = Duration.between(lastUpload, closed).toNanos() / 1e9;
            for (SimulatedSite s : simulated) {
                own[i] = Math.max(own[i], s.ownNanos(federation, i + 1) / 1e9);
            }
        }

        // Idle: the sites poll as told; the first spell after the last round lets them all fall back to the idle interval.
        Thread.sleep(20_000);
        long requestsBefore = requests.get();
        long idleStart = System.nanoTime();
        Thread.sleep(idleSeconds * 1000L);
        double idleRps = (requests.get() - requestsBefore) / ((System.nanoTime() - idleStart) / 1e9);
        simulated.forEach(SimulatedSite::stop);
        threads.forEach(Thread::interrupt);
        for (Thread t : threads) {
            t.join();
        }

        double cpu = (cpuAfter.toNanos() - cpuBefore.toNanos()) / 1e9;
        Row row = new Row(size, rounds, median(roundSeconds), median(own), median(subtract(roundSeconds, own)), median(aggregation),
                cpu / rounds, cpu / wallSeconds, heap.peak(), (dbAfter - dbBefore) / rounds, (diskAfter - diskBefore) / rounds, idleRps);
        System.out.printf(Locale.ROOT, "%d sites: agreements %.1f s, federation %.1f s, rounds %s s, %s%n", size, agreeSeconds,
                wallSeconds, Arrays.toString(roundSeconds), row);
        return row;
    }

    /**
     * Asks for the federation once a second: the harness's own calls (an administrator's login each)
     * cost the coordinator CPU too, so it asks no more often than an operator's dashboard would.
     */
    private JsonNode awaitFinished(long federation, Duration timeout) {
        long end = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < end) {
            Api.Answer a = admin.asAdmin("/federations/" + federation, null);
            if (a.status() == 200 && !"RUNNING".equals(a.json().path("status").asText())) {
                return a.json();
            }
            CivitasServer.sleep(1000);
        }
        throw new IllegalStateException("federation " + federation + " still running after " + timeout);
    }

    private void agree(String plan, JsonNode preview, Member m) {
        String steward = m.enterprise() + "-steward";
        JsonNode requested = Consortium.created(Api.call(coordinator.api() + "/agreements", steward, PASSWORD, "{\"plan\": " + plan
                + ", \"datasets\": " + preview.path("datasetsByEnterprise").path(m.enterprise()) + ", \"modalities\": "
                + model.modalities.stream().map(s -> "\"" + s + "\"").toList() + ", \"purpose\": \"load harness\","
                + " \"task\": \"incident classification\"}"));
        for (String officer : List.of(m.enterprise() + "-compliance", "consortium-compliance")) {
            check(Api.call(coordinator.api() + "/agreements/" + requested.path("id").asLong() + "/decision", officer, PASSWORD,
                    "{\"approve\": true, \"comment\": \"approved\"}"), 200, "decision of " + officer);
        }
    }

    /** Bytes the coordinator's tables and their indexes take in PostgreSQL. */
    private static long databaseBytes() throws Exception {
        try (Connection c = CivitasServer.postgres();
             PreparedStatement s = c.prepareStatement("select coalesce(sum(pg_total_relation_size(c.oid)), 0) from pg_class c"
                     + " join pg_namespace n on n.oid = c.relnamespace where n.nspname = ? and c.relkind = 'r'")) {
            s.setString(1, SCHEMA);
            try (ResultSet rs = s.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        }
    }

    private static long folderBytes(Path dir) throws Exception {
        if (!Files.exists(dir)) {
            return 0;
        }
        try (Stream<Path> files = Files.walk(dir)) {
            return files.filter(Files::isRegularFile).mapToLong(p -> p.toFile().length()).sum();
        }
    }

    private static double[] subtract(double[] a, double[] b) {
        double[] d = new double[a.length];
        for (int i = 0; i < a.length; i++) {
            d[i] = a[i] - b[i];
        }
        return d;
    }

    private static double median(double[] values) {
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        return sorted.length % 2 == 1 ? sorted[sorted.length / 2] : (sorted[sorted.length / 2 - 1] + sorted[sorted.length / 2]) / 2;
    }

    private static String table(List<Row> rows) {
        StringBuilder t = new StringBuilder("| sites | rounds | round s (median) | slowest site's own s | overhead s | last upload to"
                + " aggregated s | coordinator CPU s / round | CPU share of 2 cores | peak heap MB | database KB / round |"
                + " data folder MB / round | idle requests / s |\n|---|---|---|---|---|---|---|---|---|---|---|---|\n");
        for (Row r : rows) {
            t.append(String.format(Locale.ROOT, "| %d | %d | %.2f | %.2f | %.2f | %.2f | %.2f | %.0f %% | %d | %d | %.1f | %.2f |%n",
                    r.sites(), r.rounds(), r.roundSeconds(), r.ownSeconds(), r.overheadSeconds(), r.aggregationSeconds(),
                    r.cpuSecondsPerRound(), 100 * r.cpuShare() / 2, r.peakHeapBytes() / (1024 * 1024), r.dbBytesPerRound() / 1024,
                    r.diskBytesPerRound() / 1e6, r.idleRequestsPerSecond()));
        }
        return t.toString();
    }

    /** Samples the coordinator's heap in use from its metrics, keeping the peak. */
    private static final class HeapSampler implements Runnable {
        private final ServerProcess server;
        private volatile boolean running = true;
        private volatile long peak;

        HeapSampler(ServerProcess server) {
            this.server = server;
        }

        void stop() {
            running = false;
        }

        long peak() {
            return peak;
        }

        @Override
        public void run() {
            while (running) {
                long used = 0;
                for (String line : server.metrics().split("\n")) {
                    if (line.startsWith("jvm_memory_used_bytes{") && line.contains("area=\"heap\"")) {
                        used += (long) Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
                    }
                }
                peak = Math.max(peak, used);
                CivitasServer.sleep(1000);
            }
        }
    }
}
