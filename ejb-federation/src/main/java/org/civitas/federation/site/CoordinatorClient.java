package org.civitas.federation.site;

import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.json.bind.Jsonb;
import jakarta.ws.rs.ProcessingException;
import org.eclipse.microprofile.faulttolerance.Bulkhead;
import org.eclipse.microprofile.faulttolerance.CircuitBreaker;
import org.eclipse.microprofile.faulttolerance.Retry;
import org.eclipse.microprofile.faulttolerance.Timeout;
import org.eclipse.microprofile.faulttolerance.exceptions.BulkheadException;
import org.eclipse.microprofile.faulttolerance.exceptions.TimeoutException;
import jakarta.json.bind.JsonbBuilder;
import jakarta.ws.rs.client.Client;
import jakarta.ws.rs.client.ClientBuilder;
import jakarta.ws.rs.client.Entity;
import jakarta.ws.rs.client.Invocation;
import jakarta.ws.rs.client.WebTarget;
import jakarta.ws.rs.core.EntityPart;
import jakarta.ws.rs.core.GenericEntity;
import jakarta.ws.rs.core.GenericType;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import org.civitas.federation.infrastructure.CivitasMetrics;
import org.civitas.federation.protocol.DatasetMetadata;
import org.civitas.federation.protocol.TaskDefinitionMessage;
import org.civitas.federation.protocol.RoundTask;
import org.civitas.federation.protocol.RoundTasks;
import org.civitas.federation.protocol.UpdateMetadata;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A site's client of the participant protocol, over the coordinator's REST API (loopback in the
 * standalone role). Every call carries the site's code and token, and goes to the coordinator's
 * current address ({@link CoordinatorAddresses}).
 */
@ApplicationScoped
@FailsOver
public class CoordinatorClient {

    public static final String SITE_HEADER = "X-Civitas-Site";
    public static final String NONCE_HEADER = "X-Civitas-Nonce";
    public static final String SIGNATURE_HEADER = "X-Civitas-Signature";

    /** The coordinator, or a proxy before it, answered that it cannot serve now (502, 503, 504): worth retrying. */
    public static class CoordinatorUnavailableException extends ProtocolException {
        public CoordinatorUnavailableException(int status, String message) {
            super(status, message);
        }
    }

    /** The coordinator answered with an error. */
    public static class ProtocolException extends RuntimeException {
        private final int status;

        public ProtocolException(int status, String message) {
            super(message);
            this.status = status;
        }

        public int status() {
            return status;
        }
    }

    @Inject
    org.civitas.federation.site.SiteSigningKeys signingKeys;

    @Inject
    CoordinatorAddresses addresses;

    @Inject
    CivitasMetrics metrics;

    private volatile Client client;

    private Client client() {
        Client c = client;
        if (c == null) {
            synchronized (this) {
                if (client == null) {
                    ClientBuilder builder = ClientBuilder.newBuilder()
                            .connectTimeout(5, TimeUnit.SECONDS)
                            .readTimeout(120, TimeUnit.SECONDS);
                    // With mutual TLS the site shows its certificate and trusts only the consortium CA's.
                    org.civitas.operations.tls.MutualTls.configured().ifPresent(builder::sslContext);
                    client = builder.build();
                }
                c = client;
            }
        }
        return c;
    }

    @PreDestroy
    void close() {
        if (client != null) {
            client.close();
        }
    }

    // Polled every second: when the coordinator is down, stop calling it for a while instead of piling up timeouts.
    @Timeout(10_000)
    @CircuitBreaker(requestVolumeThreshold = 5, failureRatio = 1.0, delay = 15_000, successThreshold = 1,
            failOn = {ProcessingException.class, CoordinatorUnavailableException.class, TimeoutException.class})
    public RoundTasks tasks(SiteIdentity site) {
        try (Response r = request(site, "participant/tasks", MediaType.APPLICATION_JSON_TYPE).get()) {
            String pollAfter = r.getHeaderString(RoundTasks.POLL_AFTER_HEADER);
            return new RoundTasks(read(r, new GenericType<List<RoundTask>>() { }), RoundTasks.pollAfter(pollAfter));
        }
    }

    /**
     * A long poll: the coordinator holds the call up to {@code waitSeconds} while the site has nothing to
     * do, and answers as soon as a task appears (a coordinator without long polls answers at once).
     */
    @Timeout((RoundTasks.MAX_WAIT_SECONDS + 15) * 1000L)
    @CircuitBreaker(requestVolumeThreshold = 5, failureRatio = 1.0, delay = 15_000, successThreshold = 1,
            failOn = {ProcessingException.class, CoordinatorUnavailableException.class, TimeoutException.class})
    public RoundTasks waitForTasks(SiteIdentity site, int waitSeconds) {
        try (Response r = authenticated(coordinator().path("participant/tasks").queryParam(RoundTasks.WAIT_PARAMETER, waitSeconds)
                .request(MediaType.APPLICATION_JSON_TYPE), site).get()) {
            String pollAfter = r.getHeaderString(RoundTasks.POLL_AFTER_HEADER);
            return new RoundTasks(read(r, new GenericType<List<RoundTask>>() { }), RoundTasks.pollAfter(pollAfter));
        }
    }

    @Retry(maxRetries = 4, delay = 500, jitter = 400, maxDuration = 60_000,
            retryOn = {ProcessingException.class, CoordinatorUnavailableException.class})
    public RoundTask task(SiteIdentity site, long federationId, int round) {
        try (Response r = request(site, roundPath(federationId, round) + "/task", MediaType.APPLICATION_JSON_TYPE).get()) {
            return read(r, new GenericType<>() { });
        }
    }

    @Retry(maxRetries = 4, delay = 500, jitter = 400, maxDuration = 60_000,
            retryOn = {ProcessingException.class, CoordinatorUnavailableException.class})
    public byte[] globalState(SiteIdentity site, long federationId, int round) {
        try (Response r = request(site, roundPath(federationId, round) + "/state", MediaType.APPLICATION_OCTET_STREAM_TYPE).get()) {
            byte[] state = read(r, new GenericType<>() { });
            metrics.globalModelFetched(site.code(), state.length);
            return state;
        }
    }

    /**
     * Uploads an update as multipart: a JSON {@code metadata} part and a safetensors {@code tensors}
     * part, signed with the site's Ed25519 key over both parts' bytes and a fresh nonce.
     */
    // Each attempt signs with a fresh nonce, and the coordinator answers a second copy as DUPLICATE: retrying is safe.
    // The bulkhead keeps a server hosting many sites from sending all their updates at once; an upload it turns away
    // is retried (Retry wraps Bulkhead), so a burst of round ends queues instead of failing.
    @Bulkhead(8)
    @Retry(maxRetries = 20, delay = 500, jitter = 400, maxDuration = 120_000,
            retryOn = {ProcessingException.class, CoordinatorUnavailableException.class, BulkheadException.class})
    public void upload(SiteIdentity site, long federationId, int round, UpdateMetadata metadata, byte[] tensors) {
        byte[] json;
        try (Jsonb jsonb = JsonbBuilder.create()) {
            json = jsonb.toJson(metadata).getBytes(java.nio.charset.StandardCharsets.UTF_8);
        } catch (Exception e) {
            throw new IllegalStateException("cannot write update metadata", e);
        }
        String nonce = org.civitas.federation.core.identity.UpdateSignature.newNonce();
        String signature = signingKeys.sign(site, federationId, round, nonce, tensors, json);
        try {
            List<EntityPart> parts = List.of(
                    EntityPart.withName("metadata").content(new ByteArrayInputStream(json)).mediaType(MediaType.APPLICATION_JSON_TYPE).build(),
                    EntityPart.withName("tensors").content("update.safetensors", new ByteArrayInputStream(tensors))
                            .mediaType(MediaType.APPLICATION_OCTET_STREAM_TYPE).build());
            try (Response r = request(site, roundPath(federationId, round) + "/updates", MediaType.APPLICATION_JSON_TYPE)
                    .header(NONCE_HEADER, nonce).header(SIGNATURE_HEADER, signature)
                    .post(Entity.entity(new GenericEntity<>(parts) { }, MediaType.MULTIPART_FORM_DATA_TYPE))) {
                read(r, new GenericType<String>() { });
            }
            metrics.updateSent(site.code(), (long) json.length + tensors.length);
        } catch (IOException e) {
            throw new IllegalStateException("cannot build the upload", e);
        }
    }

    /** GET of a secure-aggregation resource of a round ({@code roster}, {@code inbox}, {@code survivors}). */
    @Retry(maxRetries = 4, delay = 500, jitter = 400, maxDuration = 60_000,
            retryOn = {ProcessingException.class, CoordinatorUnavailableException.class})
    public <T> T secureAggregation(SiteIdentity site, long federationId, int round, String resource, Class<T> type) {
        try (Response r = request(site, roundPath(federationId, round) + "/secagg/" + resource, MediaType.APPLICATION_JSON_TYPE).get()) {
            return read(r, new GenericType<>(type));
        }
    }

    /** POST of a secure-aggregation message of a round ({@code keys}, {@code shares}, {@code reveals}). */
    @Retry(maxRetries = 4, delay = 500, jitter = 400, maxDuration = 60_000,
            retryOn = {ProcessingException.class, CoordinatorUnavailableException.class})
    public void secureAggregation(SiteIdentity site, long federationId, int round, String resource, Object message) {
        try (Response r = request(site, roundPath(federationId, round) + "/secagg/" + resource, MediaType.APPLICATION_JSON_TYPE)
                .post(Entity.json(message))) {
            read(r, new GenericType<String>() { });
        }
    }

    /** Reports the site's training windows to the coordinator. */
    public void reportWindows(SiteIdentity site, List<org.civitas.federation.protocol.SiteWindow> windows) {
        try (Response r = request(site, "participant/windows", MediaType.APPLICATION_JSON_TYPE).post(Entity.json(windows))) {
            read(r, new GenericType<String>() { });
        }
    }

    /** Registers a dataset's metadata at the coordinator; answers the registration as JSON. */
    public String registerDataset(SiteIdentity site, DatasetMetadata metadata) {
        try (Response r = request(site, "participant/datasets", MediaType.APPLICATION_JSON_TYPE)
                .post(Entity.json(metadata))) {
            return read(r, new GenericType<String>() { });
        }
    }

    /** A task version from the coordinator (the newest when {@code version} is null). */
    public TaskDefinitionMessage taskDefinition(SiteIdentity site, String name, Integer version) {
        WebTarget target = coordinator().path("participant/task-definitions").path(name);
        if (version != null) {
            target = target.queryParam("version", version);
        }
        try (Response r = authenticated(target.request(MediaType.APPLICATION_JSON_TYPE), site).get()) {
            return read(r, new GenericType<TaskDefinitionMessage>() { });
        }
    }

    /** A model manifest's canonical JSON, by its hash (unchecked: the caller checks it). */
    public String modelManifest(SiteIdentity site, String sha256) {
        WebTarget target = coordinator().path("participant/model-manifests").path(sha256);
        try (Response r = authenticated(target.request(MediaType.APPLICATION_JSON_TYPE), site).get()) {
            return read(r, new GenericType<String>() { });
        }
    }

    /** How long the site may keep what it made for each federation and from each dataset. */
    public List<org.civitas.federation.protocol.RetentionTerm> retentionTerms(SiteIdentity site) {
        WebTarget target = coordinator().path("participant/retention-terms");
        try (Response r = authenticated(target.request(MediaType.APPLICATION_JSON_TYPE), site).get()) {
            return read(r, new GenericType<>() { });
        }
    }

    /** The model versions the consortium has released now. */
    public List<org.civitas.federation.protocol.ReleasedModel> releases(SiteIdentity site) {
        WebTarget target = coordinator().path("participant/releases");
        try (Response r = authenticated(target.request(MediaType.APPLICATION_JSON_TYPE), site).get()) {
            return read(r, new GenericType<>() { });
        }
    }

    /** A released version's state by its hash (unchecked: the caller checks it). */
    public byte[] releasedState(SiteIdentity site, String sha256) {
        WebTarget target = coordinator().path("participant/releases").path(sha256).path("state");
        try (Response r = authenticated(target.request(MediaType.APPLICATION_OCTET_STREAM_TYPE), site).get()) {
            return read(r, new GenericType<byte[]>() { });
        }
    }

    /** An operator's model artifact by its hash, streamed into {@code artifacts} (which checks the hash). */
    public void fetchModelArtifact(SiteIdentity site, String sha256, org.civitas.federation.infrastructure.ArtifactFiles artifacts) {
        WebTarget target = coordinator().path("participant/model-artifacts").path(sha256);
        try (Response r = authenticated(target.request(MediaType.APPLICATION_OCTET_STREAM_TYPE), site).get()) {
            if (r.getStatus() != 200) {
                read(r, new GenericType<String>() { });
                throw new IllegalStateException("the coordinator answered " + r.getStatus() + " for model artifact " + sha256);
            }
            artifacts.put(r.readEntity(java.io.InputStream.class), sha256);
        }
    }

    /** The task version the site registered one of its datasets for. */
    public TaskDefinitionMessage datasetTask(SiteIdentity site, String dataset) {
        WebTarget target = coordinator().path("participant/datasets").path(dataset).path("task");
        try (Response r = authenticated(target.request(MediaType.APPLICATION_JSON_TYPE), site).get()) {
            return read(r, new GenericType<TaskDefinitionMessage>() { });
        }
    }

    /** Registers the site's public signing key; answers its fingerprint. */
    public String registerSigningKey(SiteIdentity site) {
        try (Response r = request(site, "participant/signing-key", MediaType.APPLICATION_JSON_TYPE)
                .put(Entity.json(java.util.Map.of("publicKey", signingKeys.publicKey(site))))) {
            return read(r, new GenericType<java.util.Map<String, String>>() { }).get("fingerprint");
        }
    }

    /** Sends the aggregate quality report of a registered dataset (a JSON object); answers the coordinator's view of it. */
    @Retry(maxRetries = 4, delay = 500, jitter = 400, maxDuration = 60_000,
            retryOn = {ProcessingException.class, CoordinatorUnavailableException.class})
    public String sendQualityReport(SiteIdentity site, String datasetName, String reportJson, String contentSha256) {
        WebTarget target = coordinator().path("participant/datasets/" + datasetName + "/quality");
        if (contentSha256 != null) {
            target = target.queryParam("contentSha256", contentSha256);
        }
        try (Response r = authenticated(target.request(MediaType.APPLICATION_JSON_TYPE), site).post(Entity.json(reportJson))) {
            return read(r, new GenericType<String>() { });
        }
    }

    private static String roundPath(long federationId, int round) {
        return "participant/federations/" + federationId + "/rounds/" + round;
    }

    /** The coordinator's address this call goes to; {@link CoordinatorFailover} moves on to the next when it fails. */
    private WebTarget coordinator() {
        return client().target(addresses.current());
    }

    private Invocation.Builder request(SiteIdentity site, String path, MediaType accept) {
        return authenticated(coordinator().path(path).request(accept), site);
    }

    private static Invocation.Builder authenticated(Invocation.Builder request, SiteIdentity site) {
        return request.header(SITE_HEADER, site.code()).header("Authorization", "Bearer " + site.token());
    }

    private static <T> T read(Response r, GenericType<T> type) {
        if (r.getStatusInfo().getFamily() != Response.Status.Family.SUCCESSFUL) {
            String body = r.hasEntity() ? r.readEntity(String.class) : "";
            if (r.getStatus() == 502 || r.getStatus() == 503 || r.getStatus() == 504) {
                throw new CoordinatorUnavailableException(r.getStatus(), "coordinator answered " + r.getStatus() + ": " + body);
            }
            throw new ProtocolException(r.getStatus(), "coordinator answered " + r.getStatus() + ": " + body);
        }
        return r.readEntity(type);
    }
}
