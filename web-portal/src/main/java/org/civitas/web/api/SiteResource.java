package org.civitas.web.api;

import org.civitas.web.api.dto.WindowBody;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotNull;
import org.civitas.web.api.dto.ImportBody;
import org.civitas.web.api.dto.QualityRunBody;
import org.civitas.web.api.dto.SiteBody;

import jakarta.ejb.EJB;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.PathParam;
import org.civitas.federation.common.InvalidRequestException;
import org.civitas.federation.coordinator.SiteService;
import org.civitas.federation.site.SiteDatasetService;

import java.util.List;

/** Sites of member enterprises. Registering one answers its access token, once; a hosted site imports its datasets here. */
@Path("sites")
@Produces(MediaType.APPLICATION_JSON)
public class SiteResource {

    @EJB
    SiteService sites;

    @EJB
    org.civitas.federation.site.TrainingRuns trainingRuns;

    @EJB
    SiteDatasetService siteDatasets;

    @jakarta.annotation.security.RolesAllowed({"CONSORTIUM_ADMIN"})
    @POST
    @Consumes(MediaType.APPLICATION_JSON)
    public Response register(@Valid @NotNull(message = "send {\"code\", \"enterprise\", \"name\"}") SiteBody registration) {
        return Response.status(Response.Status.CREATED).entity(sites.register(caller.get(), registration.code(), registration.name(),
                registration.enterprise())).build();
    }

    /** The hosted sites' recent local training runs, newest first, with their progress while they train. */
    @GET
    @Path("runs")
    public List<org.civitas.federation.site.TrainingRuns.RunView> runs(@jakarta.ws.rs.QueryParam("max") @jakarta.ws.rs.DefaultValue("50") int max) {
        if (max < 1 || max > 1000) {
            throw new org.civitas.federation.common.InvalidRequestException("max must be in [1, 1000], was " + max);
        }
        return trainingRuns.recent(max);
    }

    @GET
    public List<SiteService.SiteView> list() {
        return sites.sites();
    }

    /** A site hosted here imports a manifest from its own folder for a task and registers the dataset's aggregates. */
    @jakarta.annotation.security.RolesAllowed({"CONSORTIUM_ADMIN", "DATA_STEWARD"})
    @POST
    @Path("{site}/datasets")
    @Consumes(MediaType.APPLICATION_JSON)
    public Response importDataset(@PathParam("site") String site,
                                  @Valid @NotNull(message = "send {\"name\", \"manifest\", \"task\", \"taskVersion\", \"skipBadLines\"}")
                                  ImportBody request) {
        SiteDatasetService.ImportResult result = siteDatasets.importManifest(caller.get(), site, request.name(), request.manifest(),
                Boolean.TRUE.equals(request.skipBadLines()), request.task(), request.taskVersion());
        return Response.status(Response.Status.CREATED).entity(result).build();
    }

    @jakarta.ejb.EJB
    org.civitas.federation.site.TrainingWindowService windows;

    @jakarta.inject.Inject
    org.civitas.web.security.CurrentCaller caller;

    @jakarta.ejb.EJB
    org.civitas.federation.coordinator.SiteScheduleService reportedSchedules;

    /** The training windows a site reported to this coordinator, which its rounds' deadlines follow. */
    @jakarta.ws.rs.GET
    @Path("{site}/reported-windows")
    public List<org.civitas.federation.protocol.SiteWindow> reportedWindows(@PathParam("site") String site) {
        return reportedSchedules.reported(site);
    }

    /** A hosted site's training windows, and whether one is open now. */
    @jakarta.ws.rs.GET
    @Path("{site}/windows")
    public org.civitas.federation.site.TrainingWindowService.Schedule windows(@PathParam("site") String site) {
        return windows.schedule(site);
    }

    /** Replaces a hosted site's training windows (its IT operator only); an empty list lets it train at any time. */
    @jakarta.ws.rs.PUT
    @Path("{site}/windows")
    @Consumes(MediaType.APPLICATION_JSON)
    public org.civitas.federation.site.TrainingWindowService.Schedule setWindows(@PathParam("site") String site,
            @NotNull(message = "send a list of windows: [{\"cron\", \"lengthSeconds\", \"timeZone\"}] (empty: any time)")
            List<@Valid @NotNull(message = "a window is null") WindowBody> windows) {
        return this.windows.set(caller.get(), site, WindowBody.windows(windows));
    }

    @jakarta.ejb.EJB
    org.civitas.federation.site.PredictionService predictions;

    /** The model versions the consortium released, which the site answers predictions with (its enterprise's staff). */
    @GET
    @Path("{site}/releases")
    public List<org.civitas.federation.protocol.ReleasedModel> releases(@PathParam("site") String site) {
        return predictions.released(caller.get(), site);
    }

    /**
     * Label probabilities and the top-k labels of a released version for up to 32 inputs, each a text
     * and/or a base64 image (its enterprise's staff): {@code {"version": "<model sha256>", "inputs":
     * [{"text": ..., "image": ...}], "top": 3}}; {@code "personalHead": <id>} answers with the site's
     * personal head on that version instead.
     */
    @POST
    @Path("{site}/predictions")
    @Consumes(MediaType.APPLICATION_JSON)
    public org.civitas.federation.site.PredictionService.Answer predict(@PathParam("site") String site,
            @NotNull(message = "send {\"version\", \"inputs\": [{\"text\", \"image\"}], \"top\"}")
            org.civitas.federation.site.PredictionService.Request request) {
        return predictions.predict(caller.get(), site, request);
    }

    /**
     * The same for one input sent as a form ({@code multipart/form-data}): parts {@code version},
     * {@code top} (optional), {@code personalHead} (optional), {@code text} and/or {@code image} (the file).
     */
    @POST
    @Path("{site}/predictions")
    @Consumes(MediaType.MULTIPART_FORM_DATA)
    public org.civitas.federation.site.PredictionService.Answer predictForm(@PathParam("site") String site,
                                                                           List<jakarta.ws.rs.core.EntityPart> parts) throws java.io.IOException {
        String version = null;
        Integer top = null;
        Long personalHead = null;
        String text = null;
        String image = null;
        for (jakarta.ws.rs.core.EntityPart part : parts) {
            switch (part.getName()) {
                case "version" -> version = new String(limited(part, 1024), java.nio.charset.StandardCharsets.UTF_8).strip();
                case "top" -> {
                    String value = new String(limited(part, 16), java.nio.charset.StandardCharsets.UTF_8).strip();
                    try {
                        top = Integer.valueOf(value);
                    } catch (NumberFormatException e) {
                        throw new InvalidRequestException("top: '" + value + "' is not a whole number");
                    }
                }
                case "personalHead" -> {
                    String value = new String(limited(part, 32), java.nio.charset.StandardCharsets.UTF_8).strip();
                    try {
                        personalHead = Long.valueOf(value);
                    } catch (NumberFormatException e) {
                        throw new InvalidRequestException("personalHead: '" + value + "' is not a personal head's id");
                    }
                }
                case "text" -> text = new String(limited(part, 4L * org.civitas.federation.site.PredictionService.MAX_TEXT),
                        java.nio.charset.StandardCharsets.UTF_8);
                case "image" -> image = java.util.Base64.getEncoder().encodeToString(limited(part,
                        org.civitas.federation.site.PredictionService.MAX_IMAGE_BYTES));
                default -> throw new InvalidRequestException("unexpected part '" + part.getName() + "': send 'version', 'top',"
                        + " 'personalHead', 'text' and 'image'");
            }
        }
        return predictions.predict(caller.get(), site, new org.civitas.federation.site.PredictionService.Request(version,
                List.of(new org.civitas.federation.site.PredictionService.Input(text, image)), top, personalHead));
    }

    @jakarta.ejb.EJB
    org.civitas.federation.site.PersonalHeadService personalHeads;

    /**
     * Trains a personal head on a released version with the site's own data (a data steward of its
     * enterprise, inside the site's training window): {@code {"version", "dataset", "heldout", "epochs"}}.
     * 202: the {@code personal-head} job runs; its progress and, with a held-out split, the global
     * and personal macro-F1 show on the head.
     */
    @POST
    @Path("{site}/personal-heads")
    @Consumes(MediaType.APPLICATION_JSON)
    public Response trainPersonalHead(@PathParam("site") String site,
                                      @NotNull(message = "send {\"version\", \"dataset\", \"heldout\", \"epochs\"}")
                                      org.civitas.federation.site.PersonalHeadService.Request request) {
        return Response.status(Response.Status.ACCEPTED).entity(personalHeads.start(caller.get(), site, request)).build();
    }

    @GET
    @Path("{site}/personal-heads")
    public List<org.civitas.federation.site.PersonalHeadService.HeadView> personalHeads(@PathParam("site") String site) {
        return personalHeads.heads(caller.get(), site);
    }

    @GET
    @Path("{site}/personal-heads/{id}")
    public org.civitas.federation.site.PersonalHeadService.HeadView personalHead(@PathParam("site") String site, @PathParam("id") long id) {
        return personalHeads.head(caller.get(), site, id);
    }

    /** A part's bytes, refused past {@code max} before more is read. */
    private static byte[] limited(jakarta.ws.rs.core.EntityPart part, long max) throws java.io.IOException {
        try (java.io.InputStream in = part.getContent()) {
            byte[] bytes = in.readNBytes((int) Math.min(Integer.MAX_VALUE - 1, max + 1));
            if (bytes.length > max) {
                throw new InvalidRequestException("part '" + part.getName() + "': over the limit of " + max + " bytes");
            }
            return bytes;
        }
    }

    @jakarta.ejb.EJB
    org.civitas.federation.site.BatchScoringService batchScoring;

    /**
     * Scores one of the site's manifests with a released version in the {@code batch-scoring} job
     * (the site's own staff): predictions as JSONL beside the manifest, and a summary. 202: the run
     * runs, or waits for the site's window.
     */
    @POST
    @Path("{site}/scoring-runs")
    @Consumes(MediaType.APPLICATION_JSON)
    public Response startScoringRun(@PathParam("site") String site,
                                    @NotNull(message = "send {\"version\", \"manifest\", \"shardLines\"}")
                                    org.civitas.federation.site.BatchScoringService.Request request) {
        return Response.status(Response.Status.ACCEPTED).entity(batchScoring.start(caller.get(), site, request)).build();
    }

    @GET
    @Path("{site}/scoring-runs")
    public List<org.civitas.federation.site.BatchScoringService.RunView> scoringRuns(@PathParam("site") String site) {
        return batchScoring.runs(caller.get(), site);
    }

    /** A scoring run: lines done of total while it runs, where its predictions lie and their summary once done. */
    @GET
    @Path("{site}/scoring-runs/{id}")
    public org.civitas.federation.site.BatchScoringService.RunView scoringRun(@PathParam("site") String site, @PathParam("id") long id) {
        return batchScoring.view(caller.get(), site, id);
    }

    @POST
    @Path("{site}/scoring-runs/{id}/restart")
    public org.civitas.federation.site.BatchScoringService.RunView restartScoringRun(@PathParam("site") String site,
                                                                                     @PathParam("id") long id) {
        return batchScoring.restart(caller.get(), site, id);
    }

    @jakarta.ejb.EJB
    org.civitas.federation.site.DataQualityService dataQuality;

    /** Starts the data-quality job over one of the site's manifests (the site's data steward). */
    @POST
    @Path("{site}/quality-runs")
    @Consumes(MediaType.APPLICATION_JSON)
    public Response startQualityRun(@PathParam("site") String site,
                                    @Valid @NotNull(message = "send {\"dataset\", \"manifest\", \"thresholds\", \"shardLines\", \"task\"}")
                                    QualityRunBody request) {
        return Response.status(Response.Status.ACCEPTED).entity(dataQuality.start(caller.get(), site, request.dataset(),
                request.manifest(), request.thresholds(), request.shardLines(), request.task(), request.taskVersion())).build();
    }

    @GET
    @Path("{site}/quality-runs")
    public List<org.civitas.federation.site.DataQualityService.RunView> qualityRuns(@PathParam("site") String site) {
        return dataQuality.runs(site);
    }

    /** A quality run: its progress (items done of total) while it runs, its aggregate report once done. */
    @GET
    @Path("{site}/quality-runs/{id}")
    public org.civitas.federation.site.DataQualityService.RunView qualityRun(@PathParam("site") String site,
                                                                                   @PathParam("id") long id) {
        return dataQuality.view(site, id);
    }

    @POST
    @Path("{site}/quality-runs/{id}/restart")
    public org.civitas.federation.site.DataQualityService.RunView restartQualityRun(@PathParam("site") String site,
                                                                                          @PathParam("id") long id) {
        return dataQuality.restart(caller.get(), site, id);
    }

    /** The run's flagged items: for the site's own staff, since they name items. */
    @GET
    @Path("{site}/quality-runs/{id}/findings")
    public List<org.civitas.federation.site.DataQualityService.FindingView> qualityFindings(@PathParam("site") String site,
                                                                                                  @PathParam("id") long id) {
        return dataQuality.findings(caller.get(), site, id);
    }

    /** The image of one manifest line, for thumbnails of flagged items (site staff only). */
    @GET
    @Path("{site}/quality-runs/{id}/items/{line}/image")
    @Produces({"image/png", "image/jpeg", MediaType.APPLICATION_OCTET_STREAM})
    public Response qualityItemImage(@PathParam("site") String site, @PathParam("id") long id, @PathParam("line") int line) {
        var image = dataQuality.itemImage(caller.get(), site, id, line);
        return Response.ok(image.bytes(), image.contentType()).header("Cache-Control", "private, max-age=300").build();
    }

    @jakarta.ejb.EJB
    org.civitas.federation.coordinator.ParticipantProtocolService protocol;

    /** Clears a site's update-signing key after it was lost or compromised; the site registers a new one. */
    @jakarta.annotation.security.RolesAllowed({"CONSORTIUM_ADMIN"})
    @jakarta.ws.rs.DELETE
    @Path("{site}/signing-key")
    public Response clearSigningKey(@PathParam("site") String site) {
        protocol.clearSigningKey(site, caller.get());
        return Response.noContent().build();
    }
}
