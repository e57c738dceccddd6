package org.civitas.web.api;

import jakarta.annotation.security.RolesAllowed;
import jakarta.ejb.EJB;
import jakarta.inject.Inject;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.HEAD;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import org.civitas.federation.coordinator.ModelArtifactService;
import org.civitas.web.security.CurrentCaller;

import java.io.InputStream;

/**
 * Artifacts an operator supplies for a model manifest (an ONNX image encoder). The consortium
 * administrator uploads the bytes with the SHA-256 they must have; a manifest then names the
 * artifact as {@code sha256:<hex>}, and the sites fetch it by that hash.
 */
@Path("model-artifacts")
public class ModelArtifactResource {

    @EJB
    ModelArtifactService artifacts;

    @Inject
    CurrentCaller caller;

    @POST
    @RolesAllowed("CONSORTIUM_ADMIN")
    @Consumes(MediaType.APPLICATION_OCTET_STREAM)
    @Produces(MediaType.APPLICATION_JSON)
    public Response upload(@QueryParam("sha256") String sha256, InputStream bytes) {
        return Response.status(Response.Status.CREATED).entity(artifacts.upload(caller.get(), sha256, bytes)).build();
    }

    /** Whether the coordinator holds an artifact: 200 or 404, no body. */
    @HEAD
    @Path("{sha256}")
    public Response exists(@PathParam("sha256") String sha256) {
        return Response.status(artifacts.has(sha256) ? Response.Status.OK : Response.Status.NOT_FOUND).build();
    }
}
