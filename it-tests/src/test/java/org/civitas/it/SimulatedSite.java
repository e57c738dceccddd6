package org.civitas.it;

import com.fasterxml.jackson.databind.JsonNode;
import org.civitas.federation.core.identity.UpdateSignature;
import org.civitas.federation.core.tensor.NamedTensors;
import org.civitas.federation.core.tensor.SafeTensors;
import org.civitas.federation.core.tensor.Tensor;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.KeyPair;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A participant as the load harness runs a hundred of them in one process: it speaks the
 * participant protocol over HTTP exactly as a participant server does (its own token and Ed25519
 * key, long-polling for its tasks ({@code ?wait=}, as a participant server does) as often as the coordinator's
 * {@code X-Civitas-Poll-After} says,
 * fetching the round's state, uploading a signed update), but it trains nothing: its update is a
 * small random change of the state's shape. The state and the update go through files, so a
 * hundred sites of a 40 MB model do not need 8 GB of heap here.
 */
final class SimulatedSite implements Runnable {

    private final String code;
    private final String token;
    private final KeyPair keys;
    private final String api;
    private final Path dir;
    private final HttpClient http;
    private final Semaphore preparing;
    private final AtomicLong requests;
    private final long jitterMillis;
    /** How long the coordinator may hold a poll that finds nothing; 0 polls without holding. */
    private final int waitSeconds;
    private final int sampleCount;
    private final SplittableRandom random;
    private final Set<String> answered = ConcurrentHashMap.newKeySet();
    /** "federation/round" -> nanoseconds the site spent making its update: its own time, not the protocol's. */
    private final Map<String, Long> ownNanos = new ConcurrentHashMap<>();
    private final List<String> failures = new java.util.concurrent.CopyOnWriteArrayList<>();
    private volatile boolean running = true;

    SimulatedSite(String code, String token, KeyPair keys, String api, Path dir, HttpClient http, Semaphore preparing,
                  AtomicLong requests, long jitterMillis, int waitSeconds, int sampleCount, long seed) {
        this.code = code;
        this.token = token;
        this.keys = keys;
        this.api = api;
        this.dir = dir;
        this.http = http;
        this.preparing = preparing;
        this.requests = requests;
        this.jitterMillis = jitterMillis;
        this.waitSeconds = waitSeconds;
        this.sampleCount = sampleCount;
        this.random = new SplittableRandom(seed);
    }

    String code() {
        return code;
    }

    Long ownNanos(long federation, int round) {
        return ownNanos.get(federation + "/" + round);
    }

    List<String> failures() {
        return failures;
    }

    void stop() {
        running = false;
    }

    @Override
    public void run() {
        try {
            Files.createDirectories(dir);
            // Sites started together do not poll in step, as real ones would not.
            Thread.sleep(jitterMillis);
            while (running) {
                HttpResponse<byte[]> tasks = send(request("/participant/tasks?wait=" + waitSeconds).GET(), HttpResponse.BodyHandlers.ofByteArray());
                int pollAfter = tasks.headers().firstValue("X-Civitas-Poll-After").map(Integer::parseInt).orElse(1);
                if (tasks.statusCode() == 200) {
                    for (JsonNode task : Api.JSON.readTree(tasks.body())) {
                        long federation = task.path("federationId").asLong();
                        int round = task.path("round").asInt();
                        if (answered.add(federation + "/" + round)) {
                            answer(federation, round);
                        }
                    }
                } else {
                    failures.add("tasks answered " + tasks.statusCode() + ": " + new String(tasks.body(), StandardCharsets.UTF_8));
                }
                Thread.sleep(pollAfter * 1000L);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (IOException | RuntimeException e) {
            failures.add(code + " stopped: " + e);
        }
    }

    private void answer(long federation, int round) throws IOException, InterruptedException {
        String base = "/participant/federations/" + federation + "/rounds/" + round;
        Path state = dir.resolve("state.safetensors");
        HttpResponse<Path> fetched = send(request(base + "/state").GET(), HttpResponse.BodyHandlers.ofFile(state));
        if (fetched.statusCode() != 200) {
            failures.add("state of " + base + " answered " + fetched.statusCode() + ": " + Files.readString(state));
            return;
        }
        Path update = dir.resolve("update.safetensors");
        String sha256;
        preparing.acquire();
        try {
            long start = System.nanoTime();
            sha256 = writeUpdate(state, update);
            ownNanos.put(federation + "/" + round, System.nanoTime() - start);
        } finally {
            preparing.release();
        }
        byte[] metadata = ("{\"sampleCount\": " + sampleCount + ", \"trainLoss\": " + (1 + random.nextDouble())
                + ", \"globalLoss\": " + (2 + random.nextDouble()) + "}").getBytes(StandardCharsets.UTF_8);
        String nonce = UpdateSignature.newNonce();
        String signature = UpdateSignature.signHashed(keys.getPrivate(), code, federation, round, nonce, sha256, metadata);
        String boundary = "load-" + UUID.randomUUID();
        byte[] head = ("--" + boundary + "\r\nContent-Disposition: form-data; name=\"metadata\"\r\nContent-Type: application/json\r\n\r\n"
                + new String(metadata, StandardCharsets.UTF_8) + "\r\n--" + boundary
                + "\r\nContent-Disposition: form-data; name=\"tensors\"; filename=\"update.safetensors\"\r\n"
                + "Content-Type: application/octet-stream\r\n\r\n").getBytes(StandardCharsets.UTF_8);
        byte[] tail = ("\r\n--" + boundary + "--\r\n").getBytes(StandardCharsets.US_ASCII);
        HttpResponse<String> uploaded = send(request(base + "/updates")
                .header("Content-Type", "multipart/form-data; boundary=" + boundary)
                .header("X-Civitas-Nonce", nonce).header("X-Civitas-Signature", signature)
                .POST(HttpRequest.BodyPublishers.concat(HttpRequest.BodyPublishers.ofByteArray(head),
                        HttpRequest.BodyPublishers.ofFile(update), HttpRequest.BodyPublishers.ofByteArray(tail))),
                HttpResponse.BodyHandlers.ofString());
        if (uploaded.statusCode() != 201) {
            failures.add("upload to " + base + " answered " + uploaded.statusCode() + ": " + uploaded.body());
        }
    }

    /** A small random change of every tensor of the state, written as safetensors; answers its SHA-256. */
    private String writeUpdate(Path state, Path update) throws IOException {
        NamedTensors global;
        try (FileChannel channel = FileChannel.open(state, StandardOpenOption.READ)) {
            ByteBuffer mapped = channel.map(FileChannel.MapMode.READ_ONLY, 0, channel.size());
            global = SafeTensors.read(mapped).tensors();
        }
        NamedTensors.Builder delta = NamedTensors.builder();
        global.forEach((name, t) -> {
            float[] v = new float[t.size()];
            for (int i = 0; i < v.length; i++) {
                v[i] = (float) ((random.nextDouble() - 0.5) * 1e-3);
            }
            delta.put(name, new Tensor(t.shape(), v));
        });
        byte[] bytes = SafeTensors.write(delta.build());
        // Files.write writes in small slices: one write of 43 MB through a channel would take a direct
        // buffer of that size, which each thread keeps, and a hundred threads would run out of them.
        Files.write(update, bytes);
        return org.civitas.federation.infrastructure.BlobStore.sha256(bytes);
    }

    private HttpRequest.Builder request(String path) {
        return HttpRequest.newBuilder(URI.create(api + path)).timeout(Duration.ofMinutes(5))
                .header("X-Civitas-Site", code).header("Authorization", "Bearer " + token);
    }

    private <T> HttpResponse<T> send(HttpRequest.Builder request, HttpResponse.BodyHandler<T> body) throws IOException, InterruptedException {
        requests.incrementAndGet();
        return http.send(request.build(), body);
    }
}
