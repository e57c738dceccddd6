package org.civitas.web.api;

import jakarta.annotation.security.RolesAllowed;
import jakarta.ejb.EJB;
import jakarta.inject.Inject;
import jakarta.validation.constraints.NotNull;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import org.civitas.federation.coordinator.ModelBundleService;
import org.civitas.web.api.dto.RevocationBody;
import org.civitas.web.security.CurrentCaller;

import java.io.InputStream;
import java.util.List;

/**
 * Signed model bundles arriving from other coordinators: the key this coordinator signs with (for
 * theirs to trust), the import (the consortium administrator; the bundle's signature and hashes
 * checked before anything is kept), the imported models, and their withdrawal here. A bundle is
 * made from a release: {@code GET /releases/{id}/bundle}.
 */
@Path("bundles")
@Produces(MediaType.APPLICATION_JSON)
public class BundleResource {

    @EJB
    ModelBundleService bundles;

    @Inject
    CurrentCaller caller;

    @GET
    @Path("signing-key")
    public ModelBundleService.SigningKeyView signingKey() {
        return bundles.signingKey();
    }

    @GET
    public List<ModelBundleService.ImportedView> imported() {
        return bundles.imported();
    }

    @POST
    @RolesAllowed("CONSORTIUM_ADMIN")
    @Consumes({"application/zip", MediaType.APPLICATION_OCTET_STREAM})
    public Response importBundle(InputStream bundle) {
        return Response.status(Response.Status.CREATED).entity(bundles.importBundle(caller.get(), bundle)).build();
    }

    @POST
    @Path("{id}/withdrawal")
    @RolesAllowed({"CONSORTIUM_ADMIN", "COMPLIANCE_OFFICER"})
    @Consumes(MediaType.APPLICATION_JSON)
    public ModelBundleService.ImportedView withdraw(@PathParam("id") long id, @NotNull(message = "send {\"reason\"}") RevocationBody withdrawal) {
        return bundles.withdraw(caller.get(), id, withdrawal.reason());
    }
}
