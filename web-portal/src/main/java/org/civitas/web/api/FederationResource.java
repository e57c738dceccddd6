package org.civitas.web.api;

import jakarta.ejb.EJB;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.UriInfo;
import org.civitas.federation.coordinator.FederationService;
import org.civitas.federation.coordinator.PlanRequest;
import org.civitas.federation.coordinator.Views;

import java.util.List;

/**
 * Federations for people and scripts. {@code POST /federations} with an empty body (or {@code {}})
 * starts the demo plan; any field of {@link PlanRequest} overrides it.
 */
@Path("federations")
@Produces(MediaType.APPLICATION_JSON)
public class FederationResource {

    @EJB
    FederationService federations;

    @jakarta.inject.Inject
    org.civitas.web.security.CurrentCaller caller;

    @jakarta.annotation.security.RolesAllowed({"CONSORTIUM_ADMIN"})
    @POST
    @Consumes({MediaType.APPLICATION_JSON, MediaType.TEXT_PLAIN, MediaType.WILDCARD})
    public Response start(String body, @Context UriInfo uri) {
        PlanRequest request = parse(body);
        Views.FederationView started = federations.start(request, caller.get());
        return Response.created(uri.getAbsolutePathBuilder().path(Long.toString(started.id())).build()).entity(started).build();
    }

    @GET
    public List<Views.FederationView> list() {
        return federations.federations();
    }

    @GET
    @Path("{id}")
    public Views.FederationView get(@PathParam("id") long id) {
        return federations.federation(id);
    }

    /** Stops a running federation (the consortium administrator): its open round fails with the reason and no other opens. */
    @jakarta.annotation.security.RolesAllowed({"CONSORTIUM_ADMIN"})
    @POST
    @Path("{id}/stop")
    @Consumes(MediaType.APPLICATION_JSON)
    public Views.FederationView stop(@PathParam("id") long id,
                                     @jakarta.validation.constraints.NotNull(message = "send {\"reason\"}") org.civitas.web.api.dto.RevocationBody body) {
        return federations.stop(caller.get(), id, body.reason());
    }

    /** A model version's tensors (safetensors), for inspection or serving. */
    @GET
    @Path("{id}/models/{version}")
    @Produces(MediaType.APPLICATION_OCTET_STREAM)
    public byte[] model(@PathParam("id") long id, @PathParam("version") int version) {
        return federations.modelState(id, version);
    }

    private static PlanRequest parse(String body) {
        PlanRequest request = StrictJson.read(body, PlanRequest.class);
        return request == null ? PlanRequest.defaults() : request;
    }
}
