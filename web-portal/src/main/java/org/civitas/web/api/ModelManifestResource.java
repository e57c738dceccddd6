package org.civitas.web.api;

import jakarta.annotation.security.RolesAllowed;
import jakarta.ejb.EJB;
import jakarta.inject.Inject;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import org.civitas.federation.coordinator.ModelManifestService;
import org.civitas.web.security.CurrentCaller;

import java.util.List;

/**
 * The consortium's model manifests: every member reads them; the consortium administrator
 * registers one by posting the manifest itself (a JSON object, without labels). A manifest is known
 * by the SHA-256 of its canonical JSON, which a plan names in {@code modelManifest}.
 */
@Path("model-manifests")
@Produces(MediaType.APPLICATION_JSON)
public class ModelManifestResource {

    @EJB
    ModelManifestService manifests;

    @Inject
    CurrentCaller caller;

    @GET
    public List<ModelManifestService.ManifestView> list() {
        return manifests.manifests();
    }

    @GET
    @Path("{sha256}")
    public ModelManifestService.ManifestView manifest(@PathParam("sha256") String sha256) {
        return manifests.manifest(sha256);
    }

    /** The manifest is read as text: its fields are checked, each problem named, by the manifest's own parser. */
    @POST
    @RolesAllowed("CONSORTIUM_ADMIN")
    @Consumes(MediaType.APPLICATION_JSON)
    public Response register(String manifest) {
        return Response.status(Response.Status.CREATED).entity(manifests.register(caller.get(), manifest)).build();
    }
}
