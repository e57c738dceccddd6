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

    @POST
    @Path("{id}/withdrawal")
    @RolesAllowed({"CONSORTIUM_ADMIN", "COMPLIANCE_OFFICER"})
    @Consumes(MediaType.APPLICATION_JSON)
    public ReleaseService.ReleaseView withdraw(@PathParam("id") long id, @NotNull(message = "send {\"reason\"}") RevocationBody withdrawal) {
        return releases.withdraw(caller.get(), id, withdrawal.reason());
    }
}
