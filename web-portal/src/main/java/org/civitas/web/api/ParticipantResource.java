package org.civitas.web.api;

import jakarta.validation.Valid;
import jakarta.validation.constraints.NotNull;
import org.civitas.web.api.dto.SigningKeyBody;

import jakarta.ejb.EJB;
import jakarta.inject.Inject;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.EntityPart;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import org.civitas.domain.federation.UpdateRejectedException;
import org.civitas.domain.federation.UpdateRejectedException.Reason;
import org.civitas.federation.protocol.DatasetMetadata;
import org.civitas.federation.coordinator.DatasetRegistry;
import org.civitas.federation.coordinator.ParticipantProtocolService;
import org.civitas.federation.protocol.RoundTask;
import org.civitas.federation.protocol.RoundTasks;
import org.civitas.federation.infrastructure.SpooledUpload;
import org.civitas.federation.protocol.TaskDefinitionMessage;
import org.civitas.federation.protocol.SecureAggregationProtocol;
import org.civitas.federation.coordinator.SecureAggregationService;
import org.civitas.federation.coordinator.SiteCaller;
import org.civitas.federation.protocol.UpdateMetadata;
import org.civitas.federation.coordinator.Views;
import org.civitas.federation.infrastructure.CivitasSettings;
import org.civitas.federation.site.CoordinatorClient;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.List;

/**
 * The participant protocol. Every endpoint is {@link SiteAuthenticated}: the site names itself in
 * {@code X-Civitas-Site} and proves it with {@code Authorization: Bearer <token>}. An update is {@code multipart/form-data} with a JSON
 * {@code metadata} part ({@link UpdateMetadata}) and a safetensors {@code tensors} part.
 */
@Path("participant")
@SiteAuthenticated
public class ParticipantResource {

    @Inject
    CallingSite callingSite;

    @EJB
    ParticipantProtocolService protocol;

    @Inject
    CivitasSettings settings;

    @EJB
    DatasetRegistry datasets;

    @EJB
    SecureAggregationService secureAggregation;

    @Inject
    org.civitas.federation.coordinator.TaskLongPolls longPolls;

    /**
     * The site's tasks. With {@code ?wait=N} a poll that finds nothing is held up to N seconds (at most
     * {@value RoundTasks#MAX_WAIT_SECONDS}) and answered as soon as a task appears ({@link RoundTasks}).
     */
    @GET
    @Path("tasks")
    @Produces(MediaType.APPLICATION_JSON)
    public void tasks(@jakarta.ws.rs.QueryParam(RoundTasks.WAIT_PARAMETER) Integer wait,
                      @jakarta.ws.rs.container.Suspended jakarta.ws.rs.container.AsyncResponse response) {
        int seconds;
        try {
            seconds = RoundTasks.waitSeconds(wait);
        } catch (IllegalArgumentException e) {
            throw new org.civitas.federation.common.InvalidRequestException(e.getMessage());
        }
        SiteCaller caller = site();
        // Read before the poll, so that a round opening after the poll shows as a changed mark.
        var mark = seconds > 0 ? protocol.roundsMark() : null;
        ParticipantProtocolService.Poll poll = protocol.poll(caller);
        if (seconds == 0 || !poll.tasks().isEmpty()) {
            response.resume(tasksAnswer(poll));
            return;
        }
        // Should this server's look stop, the container still answers the call.
        response.setTimeout(seconds + 10L, java.util.concurrent.TimeUnit.SECONDS);
        response.setTimeoutHandler(r -> r.resume(tasksAnswer(org.civitas.federation.coordinator.TaskLongPolls.nothingYet())));
        longPolls.hold(caller, mark, seconds, new org.civitas.federation.coordinator.HeldPolls.Reply<>() {
            @Override
            public void send(ParticipantProtocolService.Poll answer) {
                response.resume(tasksAnswer(answer));
            }

            @Override
            public void fail(RuntimeException problem) {
                response.resume(problem);
            }

            @Override
            public boolean done() {
                return response.isDone() || response.isCancelled();
            }
        });
    }

    private static Response tasksAnswer(ParticipantProtocolService.Poll poll) {
        return Response.ok(new jakarta.ws.rs.core.GenericEntity<List<RoundTask>>(poll.tasks()) { })
                .header(RoundTasks.POLL_AFTER_HEADER, poll.pollAfterSeconds()).build();
    }

    @POST
    @Path("datasets")
    @Consumes(MediaType.APPLICATION_JSON)
    @Produces(MediaType.APPLICATION_JSON)
    public Response registerDataset(DatasetMetadata metadata) {
        return Response.status(Response.Status.CREATED).entity(datasets.register(site(), metadata)).build();
    }

    @EJB
    org.civitas.federation.coordinator.TaskService taskDefinitions;

    /** A task version (the newest without {@code version}): the labels and modalities a site's dataset of it may carry. */
    @GET
    @Path("task-definitions/{name}")
    @Produces(MediaType.APPLICATION_JSON)
    public TaskDefinitionMessage taskDefinition(@PathParam("name") String name, @jakarta.ws.rs.QueryParam("version") Integer version) {
        site();
        return taskDefinitions.definition(name, version);
    }

    @EJB
    org.civitas.federation.coordinator.ModelManifestService modelManifests;

    /**
     * A model manifest by its hash, as its canonical JSON: the exact bytes the hash was taken over,
     * so the site checks them before its worker runs the model.
     */
    @GET
    @Path("model-manifests/{sha256}")
    @Produces(MediaType.APPLICATION_JSON)
    public String modelManifest(@PathParam("sha256") String sha256) {
        site();
        return modelManifests.manifest(sha256).canonicalJson();
    }

    @EJB
    org.civitas.federation.coordinator.ModelArtifactService modelArtifacts;

    /** An operator's model artifact by its hash, streamed from the coordinator's artifact folder; the site checks the hash. */
    @GET
    @Path("model-artifacts/{sha256}")
    @Produces(MediaType.APPLICATION_OCTET_STREAM)
    public Response modelArtifact(@PathParam("sha256") String sha256) {
        site();
        return Response.ok(modelArtifacts.file(sha256).toFile()).build();
    }

    @EJB
    org.civitas.federation.coordinator.ReleaseService releases;

    @EJB
    org.civitas.federation.coordinator.CoordinatorRetention retention;

    /** How long the calling site may keep what it made for each federation and from each dataset, under its enterprise's agreements. */
    @GET
    @Path("retention-terms")
    @Produces(MediaType.APPLICATION_JSON)
    public List<org.civitas.federation.protocol.RetentionTerm> retentionTerms() {
        return retention.termsFor(site());
    }

    /** The model versions released now, which a site may serve predictions with. */
    @GET
    @Path("releases")
    @Produces(MediaType.APPLICATION_JSON)
    public List<org.civitas.federation.protocol.ReleasedModel> releases() {
        site();
        return releases.released();
    }

    /** A released version's state by its hash; the site checks the hash. A version not released now is a 404. */
    @GET
    @Path("releases/{sha256}/state")
    @Produces(MediaType.APPLICATION_OCTET_STREAM)
    public byte[] releasedState(@PathParam("sha256") String sha256) {
        site();
        return releases.releasedState(sha256);
    }

    /** The task version the calling site's dataset was registered for. */
    @GET
    @Path("datasets/{name}/task")
    @Produces(MediaType.APPLICATION_JSON)
    public TaskDefinitionMessage datasetTask(@PathParam("name") String name) {
        return datasets.taskOf(site(), name);
    }

    @jakarta.ejb.EJB
    org.civitas.federation.coordinator.DatasetQualityService quality;

    /** A site's aggregate quality report about one of its registered datasets. */
    @POST
    @Path("datasets/{name}/quality")
    @Consumes(MediaType.APPLICATION_JSON)
    @Produces(MediaType.APPLICATION_JSON)
    public Response qualityReport(@PathParam("name") String name, @jakarta.ws.rs.QueryParam("contentSha256") String contentSha256,
                                  String report) {
        return Response.status(Response.Status.CREATED).entity(quality.receive(site(), name, contentSha256, report)).build();
    }

    @GET
    @Path("federations/{federation}/rounds/{round}/task")
    @Produces(MediaType.APPLICATION_JSON)
    public RoundTask task(@PathParam("federation") long federation, @PathParam("round") int round) {
        return protocol.task(site(), federation, round);
    }

    @GET
    @Path("federations/{federation}/rounds/{round}/state")
    @Produces(MediaType.APPLICATION_OCTET_STREAM)
    public java.io.File state(@PathParam("federation") long federation, @PathParam("round") int round) {
        return protocol.globalState(site(), federation, round).toFile();
    }

    @POST
    @Path("federations/{federation}/rounds/{round}/updates")
    @Consumes(MediaType.MULTIPART_FORM_DATA)
    @Produces(MediaType.APPLICATION_JSON)
    public Response upload(@HeaderParam(HttpHeaders.CONTENT_LENGTH) Long contentLength,
                           @HeaderParam(CoordinatorClient.NONCE_HEADER) String nonce,
                           @HeaderParam(CoordinatorClient.SIGNATURE_HEADER) String signature,
                           @PathParam("federation") long federation, @PathParam("round") int round,
                           List<EntityPart> parts) throws IOException {
        long max = settings.uploadMaxBytes();
        // Refuse an oversized body before reading it; multipart framing adds a little on top of the tensors.
        if (contentLength != null && contentLength > max + 64 * 1024) {
            throw new UpdateRejectedException(Reason.TOO_LARGE, "update of " + contentLength + " bytes exceeds the limit of " + max);
        }
        UpdateMetadata metadata = null;
        byte[] metadataBytes = null;
        SpooledUpload tensors = null;
        try {
            for (EntityPart part : parts) {
                switch (part.getName()) {
                    case "metadata" -> {
                        // The signature covers the metadata's exact bytes.
                        metadataBytes = readLimited(part.getContent(), 64 * 1024);
                        metadata = parseMetadata(new String(metadataBytes, java.nio.charset.StandardCharsets.UTF_8));
                    }
                    case "tensors" -> {
                        if (tensors != null) {
                            tensors.close();
                        }
                        // To disk as it arrives, hashed and counted on the way: never whole on the heap.
                        tensors = protocol.spool(part.getContent(), max);
                    }
                    default -> throw new UpdateRejectedException(Reason.INVALID_TENSORS,
                            "unexpected part '" + part.getName() + "': send 'metadata' and 'tensors'");
                }
            }
            if (metadata == null || tensors == null) {
                throw new UpdateRejectedException(Reason.INVALID_TENSORS, "an update needs a 'metadata' part and a 'tensors' part");
            }
            Views.ReceiptView receipt = protocol.acceptUpdate(site(), federation, round, metadata, tensors, max,
                    new ParticipantProtocolService.Signed(nonce, signature, metadataBytes));
            return Response.status(Response.Status.CREATED).entity(receipt).build();
        } finally {
            if (tensors != null) {
                // Gone already when it became the stored update; removed here when the update was refused.
                tensors.close();
            }
        }
    }

    /** A site registers its signing key (first use; another key is refused until an administrator clears the old one). */
    @PUT
    @Path("signing-key")
    @Consumes(MediaType.APPLICATION_JSON)
    @Produces(MediaType.APPLICATION_JSON)
    public java.util.Map<String, String> registerSigningKey(@Valid @NotNull(message = "send {\"publicKey\": ...}") SigningKeyBody key) {
        return java.util.Map.of("fingerprint", protocol.registerSigningKey(site(), key.publicKey()));
    }

    /** A site reports its training windows, so round deadlines leave it time inside one. */
    @POST
    @Path("windows")
    @Consumes(MediaType.APPLICATION_JSON)
    public Response reportWindows(List<org.civitas.federation.protocol.SiteWindow> windows) {
        schedules.report(site(), windows);
        return Response.noContent().build();
    }

    @EJB
    org.civitas.federation.coordinator.SiteScheduleService schedules;

    // Secure aggregation: keys, then sealed shares, then the masked update (through /updates), then reveals.

    @POST
    @Path("federations/{federation}/rounds/{round}/secagg/keys")
    @Consumes(MediaType.APPLICATION_JSON)
    public Response advertiseKeys(@PathParam("federation") long federation, @PathParam("round") int round,
                                  SecureAggregationProtocol.Keys keys) {
        secureAggregation.advertise(site(), federation, round, keys);
        return Response.noContent().build();
    }

    @GET
    @Path("federations/{federation}/rounds/{round}/secagg/roster")
    @Produces(MediaType.APPLICATION_JSON)
    public SecureAggregationProtocol.Roster roster(@PathParam("federation") long federation, @PathParam("round") int round) {
        return secureAggregation.roster(site(), federation, round);
    }

    @POST
    @Path("federations/{federation}/rounds/{round}/secagg/shares")
    @Consumes(MediaType.APPLICATION_JSON)
    public Response shares(@PathParam("federation") long federation, @PathParam("round") int round,
                           SecureAggregationProtocol.Shares shares) {
        secureAggregation.submitShares(site(), federation, round, shares);
        return Response.noContent().build();
    }

    @GET
    @Path("federations/{federation}/rounds/{round}/secagg/inbox")
    @Produces(MediaType.APPLICATION_JSON)
    public SecureAggregationProtocol.Inbox inbox(@PathParam("federation") long federation, @PathParam("round") int round) {
        return secureAggregation.inbox(site(), federation, round);
    }

    @GET
    @Path("federations/{federation}/rounds/{round}/secagg/survivors")
    @Produces(MediaType.APPLICATION_JSON)
    public SecureAggregationProtocol.Survivors survivors(@PathParam("federation") long federation, @PathParam("round") int round) {
        return secureAggregation.survivors(site(), federation, round);
    }

    @POST
    @Path("federations/{federation}/rounds/{round}/secagg/reveals")
    @Consumes(MediaType.APPLICATION_JSON)
    public Response reveals(@PathParam("federation") long federation, @PathParam("round") int round,
                            SecureAggregationProtocol.Reveals reveals) {
        secureAggregation.reveal(site(), federation, round, reveals);
        return Response.noContent().build();
    }

    private SiteCaller site() {
        return callingSite.caller();
    }

    private static UpdateMetadata parseMetadata(String json) {
        try {
            return UpdateMetadata.parse(json);
        } catch (IllegalArgumentException e) {
            throw new UpdateRejectedException(Reason.INVALID_METADATA, "metadata part: " + e.getMessage());
        }
    }

    private static byte[] readLimited(InputStream in, long max) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] buffer = new byte[64 * 1024];
        long total = 0;
        int n;
        while ((n = in.read(buffer)) > 0) {
            total += n;
            if (total > max) {
                throw new UpdateRejectedException(Reason.TOO_LARGE, "update exceeds the limit of " + max + " bytes");
            }
            out.write(buffer, 0, n);
        }
        return out.toByteArray();
    }
}
