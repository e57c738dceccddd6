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
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    /** An answer: status and body. */
    record Answer(int status, byte[] body) {
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

    static Answer get(String path, SiteCredentials site) {
        return send(withSite(HttpRequest.newBuilder(URI.create(CivitasServer.API + path)), site).GET());
    }

    static Answer postJson(String path, String json) {
        return send(HttpRequest.newBuilder(URI.create(CivitasServer.API + path))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(json)));
    }

    static Answer postJson(String path, String json, SiteCredentials site) {
        return send(withSite(HttpRequest.newBuilder(URI.create(CivitasServer.API + path)), site)
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(json)));
    }

    static Answer putJson(String path, String json) {
        return send(HttpRequest.newBuilder(URI.create(CivitasServer.API + path))
                .header("Content-Type", "application/json")
                .PUT(HttpRequest.BodyPublishers.ofString(json)));
    }

    /** Uploads an update as the protocol wants it: multipart with a JSON metadata part and a tensors part. */
    static Answer upload(long federation, int round, SiteCredentials site, String metadataJson, byte[] tensors) {
        String boundary = "civitas-" + UUID.randomUUID();
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        if (metadataJson != null) {
            part(body, boundary, "metadata", null, "application/json", metadataJson.getBytes(StandardCharsets.UTF_8));
        }
        if (tensors != null) {
            part(body, boundary, "tensors", "update.safetensors", "application/octet-stream", tensors);
        }
        body.writeBytes(("--" + boundary + "--\r\n").getBytes(StandardCharsets.US_ASCII));
        return send(withSite(HttpRequest.newBuilder(URI.create(CivitasServer.API + "/participant/federations/" + federation
                + "/rounds/" + round + "/updates")), site)
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

    private static HttpRequest.Builder withSite(HttpRequest.Builder b, SiteCredentials site) {
        if (site != null) {
            b.header("X-Civitas-Site", site.code());
            if (site.token() != null) {
                b.header("Authorization", "Bearer " + site.token());
            }
        }
        return b;
    }

    private static Answer send(HttpRequest.Builder request) {
        try {
            HttpResponse<byte[]> r = HTTP.send(request.timeout(Duration.ofSeconds(60)).build(), HttpResponse.BodyHandlers.ofByteArray());
            return new Answer(r.statusCode(), r.body());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
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
