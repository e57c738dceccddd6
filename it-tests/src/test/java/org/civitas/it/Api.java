package org.civitas.it;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.UUID;

/** A small HTTP client of the Civitas REST API, as a script or another site would use it. */
final class Api {

    static final ObjectMapper JSON = new ObjectMapper();
    // HTTP/1.1: no cleartext HTTP/2 upgrade, which Payara's listener sometimes ends with an EOF.
    private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();

    /** An answer: status, body and headers (names in lower case). */
    record Answer(int status, byte[] body, java.util.Map<String, java.util.List<String>> headers) {

        Answer(int status, byte[] body) {
            this(status, body, java.util.Map.of());
        }

        /** The header's first value, or null. */
        String header(String name) {
            java.util.List<String> values = headers.get(name.toLowerCase(java.util.Locale.ROOT));
            return values == null || values.isEmpty() ? null : values.get(0);
        }

        JsonNode json() {
            try {
                return JSON.readTree(body);
            } catch (IOException e) {
                throw new AssertionError("not JSON (" + status + "): " + text(), e);
            }
        }

        String text() {
            return new String(body, StandardCharsets.UTF_8);
        }
    }

    /** A site's credentials. */
    record SiteCredentials(String code, String token) {
    }

    private Api() {
    }

    static Answer get(String path) {
        return send(HttpRequest.newBuilder(URI.create(CivitasServer.API + path)).GET());
    }

    static Answer getAbsolute(String url) {
        return send(HttpRequest.newBuilder(URI.create(url)).GET());
    }

    /** A GET with no credentials at all (redirects are not followed): what an anonymous caller gets. */
    static Answer anonymous(String url) {
        return sendRaw(HttpRequest.newBuilder(URI.create(url)).GET());
    }

    static Answer get(String path, SiteCredentials site) {
        return send(withSite(HttpRequest.newBuilder(URI.create(CivitasServer.API + path)), site).GET());
    }

    static Answer postJson(String path, String json) {
        return send(HttpRequest.newBuilder(URI.create(CivitasServer.API + path))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(json)));
    }

    /** Raw bytes, as the consortium administrator. */
    static Answer postBytes(String path, byte[] body) {
        return send(HttpRequest.newBuilder(URI.create(CivitasServer.API + path))
                .header("Content-Type", "application/octet-stream")
                .POST(HttpRequest.BodyPublishers.ofByteArray(body)));
    }

    static Answer postJson(String path, String json, SiteCredentials site) {
        return send(withSite(HttpRequest.newBuilder(URI.create(CivitasServer.API + path)), site)
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(json)));
    }

    static Answer putJson(String path, String json, SiteCredentials site) {
        return send(withSite(HttpRequest.newBuilder(URI.create(CivitasServer.API + path)), site)
                .header("Content-Type", "application/json").PUT(HttpRequest.BodyPublishers.ofString(json)));
    }

    static Answer putJson(String path, String json) {
        return send(HttpRequest.newBuilder(URI.create(CivitasServer.API + path))
                .header("Content-Type", "application/json")
                .PUT(HttpRequest.BodyPublishers.ofString(json)));
    }

    /**
     * Registers a feature table of the given size for a probe site, as a real site does before its
     * updates claim samples from it (the coordinator bounds an update's sample count by it).
     */
    static void registerDataset(SiteCredentials site, String name, int samples) {
        String hash = String.format("%064x", new java.math.BigInteger(1, (site.code() + "/" + name).getBytes(StandardCharsets.UTF_8)))
                .substring(0, 64);
        Answer r = postJson("/participant/datasets", "{\"name\": \"" + name + "\", \"samples\": " + samples + ", \"images\": 0,"
                + " \"texts\": 0, \"labeled\": " + samples + ", \"labelHistogram\": {\"class-0\": " + samples + "},"
                + " \"skippedLines\": 0, \"contentSha256\": \"" + hash + "\"}", site);
        if (r.status() != 201) {
            throw new AssertionError("cannot register dataset " + name + " for " + site.code() + ": " + r.status() + " " + r.text());
        }
    }

    /** Uploads an update as the protocol wants it: multipart with a JSON metadata part and a tensors part. */
    static Answer upload(long federation, int round, SiteCredentials site, String metadataJson, byte[] tensors) {
        return uploadSigned(federation, round, site, metadataJson, tensors, null, null);
    }

    /** An upload with the signature headers (either may be null to leave it out). */
    static Answer uploadSigned(long federation, int round, SiteCredentials site, String metadataJson, byte[] tensors, String nonce,
                               String signature) {
        String boundary = "civitas-" + UUID.randomUUID();
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        if (metadataJson != null) {
            part(body, boundary, "metadata", null, "application/json", metadataJson.getBytes(StandardCharsets.UTF_8));
        }
        if (tensors != null) {
            part(body, boundary, "tensors", "update.safetensors", "application/octet-stream", tensors);
        }
        body.writeBytes(("--" + boundary + "--\r\n").getBytes(StandardCharsets.US_ASCII));
        HttpRequest.Builder request = withSite(HttpRequest.newBuilder(URI.create(CivitasServer.API + "/participant/federations/" + federation
                + "/rounds/" + round + "/updates")), site)
                .header("Content-Type", "multipart/form-data; boundary=" + boundary)
                .POST(HttpRequest.BodyPublishers.ofByteArray(body.toByteArray()));
        if (nonce != null) {
            request.header("X-Civitas-Nonce", nonce);
        }
        if (signature != null) {
            request.header("X-Civitas-Signature", signature);
        }
        return send(request);
    }

    /** A form as a browser sends it, as a user: {@code multipart/form-data}, file parts named by {@code files}. */
    static Answer postFormAs(String user, String path, java.util.Map<String, String> fields, java.util.Map<String, byte[]> files) {
        String boundary = "civitas-" + UUID.randomUUID();
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        fields.forEach((name, value) -> part(body, boundary, name, null, "text/plain; charset=UTF-8", value.getBytes(StandardCharsets.UTF_8)));
        files.forEach((name, bytes) -> part(body, boundary, name, name + ".png", "image/png", bytes));
        body.writeBytes(("--" + boundary + "--\r\n").getBytes(StandardCharsets.US_ASCII));
        return send(HttpRequest.newBuilder(URI.create(CivitasServer.API + path))
                .header("Authorization", "Basic " + java.util.Base64.getEncoder().encodeToString((user + ":" + DEMO_PASSWORD)
                        .getBytes(StandardCharsets.UTF_8)))
                .header("Content-Type", "multipart/form-data; boundary=" + boundary)
                .POST(HttpRequest.BodyPublishers.ofByteArray(body.toByteArray())));
    }

    private static void part(ByteArrayOutputStream out, String boundary, String name, String fileName, String type, byte[] content) {
        String head = "--" + boundary + "\r\nContent-Disposition: form-data; name=\"" + name + "\""
                + (fileName == null ? "" : "; filename=\"" + fileName + "\"") + "\r\nContent-Type: " + type + "\r\n\r\n";
        out.writeBytes(head.getBytes(StandardCharsets.US_ASCII));
        out.writeBytes(content);
        out.writeBytes("\r\n".getBytes(StandardCharsets.US_ASCII));
    }

    /** The demo users' password (seeded in the standalone role). */
    static final String DEMO_PASSWORD = "civitas-demo";

    /** Calls as a user: HTTP Basic with the demo password. */
    static HttpRequest.Builder asUser(HttpRequest.Builder b, String user) {
        return b.header("Authorization", "Basic " + java.util.Base64.getEncoder()
                .encodeToString((user + ":" + DEMO_PASSWORD).getBytes(StandardCharsets.UTF_8)));
    }

    /**
     * A call to any server as a user with a password: {@code json} null for a GET, else a POST of it.
     * For tests of several servers, each with its own users.
     */
    static Answer call(String url, String user, String password, String json) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url)).header("Authorization", "Basic " + java.util.Base64.getEncoder()
                .encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8)));
        return sendRaw(json == null ? b.GET() : b.header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(json)));
    }

    /** A POST of raw bytes to any server as a user with a password. */
    static Answer callBytes(String url, String user, String password, byte[] body) {
        return sendRaw(HttpRequest.newBuilder(URI.create(url)).header("Authorization", "Basic " + java.util.Base64.getEncoder()
                        .encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8)))
                .header("Content-Type", "application/octet-stream").POST(HttpRequest.BodyPublishers.ofByteArray(body)));
    }

    static Answer getAs(String user, String path) {
        return sendRaw(asUser(HttpRequest.newBuilder(URI.create(CivitasServer.API + path)), user).GET());
    }

    /** A portal page as a user sees it (pages take HTTP Basic too). */
    static Answer pageAs(String user, String page) {
        return sendRaw(asUser(HttpRequest.newBuilder(URI.create(CivitasServer.BASE + "/" + page)), user).GET());
    }

    static Answer postJsonAs(String user, String path, String json) {
        return sendRaw(asUser(HttpRequest.newBuilder(URI.create(CivitasServer.API + path)), user)
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(json)));
    }

    static Answer putJsonAs(String user, String path, String json) {
        return sendRaw(asUser(HttpRequest.newBuilder(URI.create(CivitasServer.API + path)), user)
                .header("Content-Type", "application/json").PUT(HttpRequest.BodyPublishers.ofString(json)));
    }

    private static HttpRequest.Builder withSite(HttpRequest.Builder b, SiteCredentials site) {
        if (site != null) {
            b.header("X-Civitas-Site", site.code());
            if (site.token() != null) {
                b.header("Authorization", "Bearer " + site.token());
            }
        }
        return b;
    }

    /** Sends as the consortium administrator unless the request already carries credentials (a site's, a user's). */
    private static Answer send(HttpRequest.Builder request) {
        HttpRequest built = request.build();
        if (built.headers().firstValue("Authorization").isEmpty() && built.headers().firstValue("X-Civitas-Site").isEmpty()) {
            request = asUser(request, "admin");
        }
        return sendRaw(request);
    }

    private static Answer sendRaw(HttpRequest.Builder request) {
        try {
            HttpResponse<byte[]> r = HTTP.send(request.timeout(Duration.ofSeconds(60)).build(), HttpResponse.BodyHandlers.ofByteArray());
            return new Answer(r.statusCode(), r.body(), r.headers().map());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** The demo users' name prefix per enterprise: meridian-energy's steward is energy-steward. */
    private static final java.util.Map<String, String> MEMBERS = java.util.Map.of("meridian-energy", "energy",
            "harbourview-residential", "community", "civic-operations", "urban");

    /**
     * Starts a federation the way the platform requires: for every enterprise of the plan, its data
     * steward requests a data-sharing agreement for exactly this plan and both compliance officers
     * approve it; then the administrator starts it. An invalid plan answers the preview's refusal.
     */
    static Answer startFederation(String planJson) {
        String plan = planJson == null || planJson.isBlank() ? "{}" : planJson;
        Answer preview = postJson("/plans/preview", plan);
        if (preview.status() != 200) {
            return preview;
        }
        for (JsonNode enterprise : preview.json().path("enterprises")) {
            agree(plan, preview.json(), enterprise.asText());
        }
        return postJson("/federations", planJson);
    }

    /**
     * A plan of the demo's multimodal model, as a consortium writes one: {@code planJson} with the
     * city-safety task, the model manifest the demo registered, and each of its sites' (the demo's
     * three by default) city-safety dataset version, waiting until the sites have imported them.
     */
    static String citySafetyPlan(String planJson) {
        try {
            com.fasterxml.jackson.databind.node.ObjectNode plan = (com.fasterxml.jackson.databind.node.ObjectNode) JSON.readTree(planJson);
            java.util.List<String> sites = new java.util.ArrayList<>();
            plan.path("sites").forEach(site -> sites.add(site.asText()));
            if (sites.isEmpty()) {
                sites.addAll(java.util.List.of("energy", "community", "urban"));
            }
            java.util.Map<String, String> hashes = new java.util.TreeMap<>();
            CivitasServer.await(java.time.Duration.ofMinutes(3), "the demo sites' city-safety imports " + sites, () -> {
                java.util.Map<String, Integer> versions = new java.util.HashMap<>();
                for (JsonNode d : get("/datasets").json()) {
                    String site = d.path("site").asText();
                    int version = d.path("version").asInt(1);
                    if ("city-safety".equals(d.path("name").asText()) && version < versions.getOrDefault(site, Integer.MAX_VALUE)) {
                        versions.put(site, version);
                        hashes.put(site, d.path("contentSha256").asText());
                    }
                }
                return hashes.keySet().containsAll(sites);
            });
            String manifest = null;
            for (JsonNode m : get("/model-manifests").json()) {
                if ("city-safety-multimodal".equals(m.path("name").asText()) && !m.hasNonNull("task")) {
                    manifest = m.path("sha256").asText();
                }
            }
            if (manifest == null) {
                throw new AssertionError("the demo registered no city-safety-multimodal manifest: " + get("/model-manifests").text());
            }
            plan.put("task", "city-safety");
            plan.put("modelManifest", manifest);
            com.fasterxml.jackson.databind.node.ObjectNode datasets = plan.putObject("datasets");
            for (String site : sites) {
                datasets.putObject(site).put("name", "city-safety").put("sha256", hashes.get(site));
            }
            return JSON.writeValueAsString(plan);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /** The agreement of one enterprise to a plan, requested and approved by the demo users; answers its id. */
    static long agree(String plan, JsonNode preview, String enterprise) {
        return agree(plan, preview, enterprise, java.util.List.of(), null);
    }

    /** As {@link #agree(String, JsonNode, String)}, sharing more datasets than the plan needs and keeping them {@code retentionDays}. */
    static long agree(String plan, JsonNode preview, String enterprise, java.util.List<String> moreDatasets, Integer retentionDays) {
        String member = MEMBERS.get(enterprise);
        boolean dp = preview.path("canonicalJson").asText().contains("\"privacy\"");
        boolean multimodal = preview.path("canonicalJson").asText().contains("multimodal");
        java.util.List<String> datasets = new java.util.ArrayList<>();
        preview.path("datasetsByEnterprise").path(enterprise).forEach(d -> datasets.add("\"" + d.asText() + "\""));
        moreDatasets.forEach(d -> datasets.add("\"" + d + "\""));
        Answer requested = postJsonAs(member + "-steward", "/agreements", "{\"plan\": " + plan + ", \"datasets\": ["
                + String.join(", ", datasets) + "], \"modalities\": " + (multimodal ? "[\"image\", \"text\"]" : "[\"features\"]")
                + ", \"purpose\": \"integration test\", \"task\": \"incident classification\""
                + (dp ? ", \"epsilon\": 1000, \"delta\": 1e-5" : "") + (retentionDays == null ? "" : ", \"retentionDays\": " + retentionDays)
                + "}");
        if (requested.status() != 201) {
            throw new AssertionError("agreement request refused: " + requested.text());
        }
        long id = requested.json().path("id").asLong();
        for (String officer : java.util.List.of(member + "-compliance", "consortium-compliance")) {
            Answer decided = postJsonAs(officer, "/agreements/" + id + "/decision", "{\"approve\": true, \"comment\": \"approved for the test\"}");
            if (decided.status() != 200) {
                throw new AssertionError("decision refused: " + decided.text());
            }
        }
        return id;
    }

    /** Polls a federation until its status is no longer RUNNING, or fails after the timeout. */
    static JsonNode awaitFinished(long federation, Duration timeout) {
        long end = System.nanoTime() + timeout.toNanos();
        JsonNode f;
        do {
            f = get("/federations/" + federation).json();
            if (!"RUNNING".equals(f.path("status").asText())) {
                return f;
            }
            CivitasServer.sleep(250);
        } while (System.nanoTime() < end);
        throw new AssertionError("federation " + federation + " still running after " + timeout + ": " + f);
    }
}
