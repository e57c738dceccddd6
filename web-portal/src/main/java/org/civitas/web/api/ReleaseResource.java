package org.civitas.web.api;

import jakarta.annotation.security.RolesAllowed;
import jakarta.ejb.EJB;
import jakarta.inject.Inject;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotNull;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import org.civitas.federation.coordinator.ReleaseService;
import org.civitas.web.api.dto.DecisionBody;
import org.civitas.web.api.dto.ReleaseProposalBody;
import org.civitas.web.api.dto.RevocationBody;
import org.civitas.web.security.CurrentCaller;

import java.util.List;

/**
 * Model releases, four eyes: the consortium administrator proposes an evaluated version, a
 * consortium compliance officer who is not the proposer approves or rejects it, and a released
 * version can be withdrawn with a reason. Every member reads them.
 */
@Path("releases")
@Produces(MediaType.APPLICATION_JSON)
public class ReleaseResource {

    @EJB
    ReleaseService releases;

    @Inject
    CurrentCaller caller;

    @GET
    public List<ReleaseService.ReleaseView> list() {
        return releases.releases();
    }

    @POST
    @RolesAllowed("CONSORTIUM_ADMIN")
    @Consumes(MediaType.APPLICATION_JSON)
    public Response propose(@Valid @NotNull(message = "send {\"federation\", \"version\", \"note\"}") ReleaseProposalBody proposal) {
        return Response.status(Response.Status.CREATED).entity(releases.propose(caller.get(), proposal.federation(), proposal.version(),
                proposal.note())).build();
    }

    @POST
    @Path("{id}/decision")
    @RolesAllowed("COMPLIANCE_OFFICER")
    @Consumes(MediaType.APPLICATION_JSON)
    public ReleaseService.ReleaseView decide(@PathParam("id") long id,
                                             @Valid @NotNull(message = "send {\"approve\", \"comment\"}") DecisionBody decision) {
        return releases.decide(caller.get(), id, decision.approve(), decision.comment());
    }

    @EJB
    org.civitas.federation.coordinator.ModelBundleService bundles;

    /**
     * The signed bundle of a released version (the consortium administrator): a zip that another
     * Civitas server imports ({@code POST /bundles}) and that runs outside Civitas (the Python
     * trainer's {@code run_bundle.py}).
     */
    @GET
    @Path("{id}/bundle")
    @RolesAllowed("CONSORTIUM_ADMIN")
    @Produces("application/zip")
    public Response bundle(@PathParam("id") long id) {
        org.civitas.federation.coordinator.ModelBundleService.Bundle bundle = bundles.export(caller.get(), id);
        jakarta.ws.rs.core.StreamingOutput zip = out -> {
            java.util.zip.ZipOutputStream z = new java.util.zip.ZipOutputStream(out);
            // Weights hardly compress; the fastest level spares the coordinator's CPU.
            z.setLevel(java.util.zip.Deflater.BEST_SPEED);
            for (org.civitas.federation.coordinator.ModelBundleService.Entry entry : bundle.entries()) {
                z.putNextEntry(new java.util.zip.ZipEntry(entry.name()));
                try (java.io.InputStream in = entry.source().open()) {
                    in.transferTo(z);
                }
                z.closeEntry();
            }
            z.finish();
        };
        return Response.ok(zip, "application/zip").header("Content-Disposition", "attachment; filename=\"" + bundle.fileName() + "\"")
                .build();
    }

    @POST
    @Path("{id}/withdrawal")
    @RolesAllowed({"CONSORTIUM_ADMIN", "COMPLIANCE_OFFICER"})
    @Consumes(MediaType.APPLICATION_JSON)
    public ReleaseService.ReleaseView withdraw(@PathParam("id") long id, @NotNull(message = "send {\"reason\"}") RevocationBody withdrawal) {
        return releases.withdraw(caller.get(), id, withdrawal.reason());
    }
}
