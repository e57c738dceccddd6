package org.civitas.web.api;

import jakarta.ejb.EJB;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.PathParam;
import org.civitas.federation.application.InvalidRequestException;
import org.civitas.federation.application.SiteService;
import org.civitas.federation.participant.SiteDatasetService;

import java.util.List;

/** Sites of member enterprises. Registering one answers its access token, once; a hosted site imports its datasets here. */
@Path("sites")
@Produces(MediaType.APPLICATION_JSON)
public class SiteResource {

    @EJB
    SiteService sites;

    @EJB
    org.civitas.federation.participant.TrainingRuns trainingRuns;

    @EJB
    SiteDatasetService siteDatasets;

    @jakarta.annotation.security.RolesAllowed({"CONSORTIUM_ADMIN"})
    @POST
    @Consumes(MediaType.APPLICATION_JSON)
    public Response register(SiteService.SiteRegistration registration) {
        return Response.status(Response.Status.CREATED).entity(sites.register(registration)).build();
    }

    /** The hosted sites' recent local training runs, newest first, with their progress while they train. */
    @GET
    @Path("runs")
    public List<org.civitas.federation.participant.TrainingRuns.RunView> runs(@jakarta.ws.rs.QueryParam("max") @jakarta.ws.rs.DefaultValue("50") int max) {
        if (max < 1 || max > 1000) {
            throw new org.civitas.federation.application.InvalidRequestException("max must be in [1, 1000], was " + max);
        }
        return trainingRuns.recent(max);
    }

    @GET
    public List<SiteService.SiteView> list() {
        return sites.sites();
    }

    /**
     * An import request.
     *
     * @param manifest     path of the JSONL manifest inside the site's folder
     * @param skipBadLines register the valid lines and list the others, instead of refusing the manifest
     */
    public record ImportRequest(String name, String manifest, Boolean skipBadLines) {
    }

    @jakarta.annotation.security.RolesAllowed({"CONSORTIUM_ADMIN", "DATA_STEWARD"})
    /** A site hosted here imports a manifest from its own folder and registers the dataset's aggregates. */
    @POST
    @Path("{site}/datasets")
    @Consumes(MediaType.APPLICATION_JSON)
    public Response importDataset(@PathParam("site") String site, ImportRequest request) {
        if (request == null) {
            throw new InvalidRequestException("send {\"name\", \"manifest\", \"skipBadLines\"}");
        }
        SiteDatasetService.ImportResult result = siteDatasets.importManifest(site, request.name(), request.manifest(),
                Boolean.TRUE.equals(request.skipBadLines()));
        return Response.status(Response.Status.CREATED).entity(result).build();
    }

    @jakarta.ejb.EJB
    org.civitas.federation.participant.TrainingWindowService windows;

    @jakarta.inject.Inject
    org.civitas.web.security.CurrentCaller caller;

    /** A hosted site's training windows, and whether one is open now. */
    @jakarta.ws.rs.GET
    @Path("{site}/windows")
    public org.civitas.federation.participant.TrainingWindowService.Schedule windows(@PathParam("site") String site) {
        return windows.schedule(site);
    }

    /** Replaces a hosted site's training windows (its IT operator only); an empty list lets it train at any time. */
    @jakarta.ws.rs.PUT
    @Path("{site}/windows")
    @Consumes(MediaType.APPLICATION_JSON)
    public org.civitas.federation.participant.TrainingWindowService.Schedule setWindows(@PathParam("site") String site,
            List<org.civitas.federation.participant.TrainingWindowService.WindowRequest> requests) {
        return windows.set(caller.get(), site, requests);
    }
}
