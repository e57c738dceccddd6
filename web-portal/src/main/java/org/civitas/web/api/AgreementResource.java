package org.civitas.web.api;

import jakarta.validation.Valid;
import jakarta.validation.constraints.NotNull;
import org.civitas.web.api.dto.AgreementBody;
import org.civitas.web.api.dto.DecisionBody;
import org.civitas.web.api.dto.AgreementRevocationBody;
import org.civitas.web.api.dto.RevocationBody;

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
import org.civitas.federation.coordinator.AgreementService;
import org.civitas.federation.coordinator.WithdrawalService;
import org.civitas.web.security.CurrentCaller;

import java.util.List;

/**
 * Data-sharing agreements. Data stewards request them (and new versions), compliance officers of
 * the enterprise and of the consortium decide with a comment, and either side revokes. Who may do
 * what is checked by the service against the caller's role and enterprise (403 otherwise).
 */
@Path("agreements")
@Produces(MediaType.APPLICATION_JSON)
public class AgreementResource {

    static final String AGREEMENT_FIELDS = "send {\"plan\", \"datasets\", \"modalities\", \"purpose\", \"task\", \"epsilon\", \"delta\","
            + " \"retentionDays\", \"expiresAt\", \"qualityReports\"}";

    @EJB
    AgreementService agreements;

    @EJB
    WithdrawalService withdrawals;

    @Inject
    CurrentCaller caller;

    @GET
    public List<AgreementService.AgreementView> list() {
        return agreements.agreements();
    }

    /** The agreements waiting for the calling compliance officer's decision. */
    @GET
    @Path("review-queue")
    public List<AgreementService.AgreementView> reviewQueue() {
        return agreements.reviewQueue(caller.get());
    }

    @GET
    @Path("{id}")
    public AgreementService.AgreementView get(@PathParam("id") long id) {
        return agreements.agreement(id);
    }

    @GET
    @Path("{id}/history")
    public List<AgreementService.AgreementView> history(@PathParam("id") long id) {
        return agreements.history(id);
    }

    @GET
    @Path("{id}/diff/{other}")
    public List<AgreementService.Change> diff(@PathParam("id") long id, @PathParam("other") long other) {
        return agreements.diff(id, other);
    }

    @POST
    @Consumes(MediaType.APPLICATION_JSON)
    public Response request(@Valid @NotNull(message = AGREEMENT_FIELDS) AgreementBody request) {
        return Response.status(Response.Status.CREATED).entity(agreements.request(caller.get(), request.toRequest())).build();
    }

    @POST
    @Path("{id}/versions")
    @Consumes(MediaType.APPLICATION_JSON)
    public Response newVersion(@PathParam("id") long id, @Valid @NotNull(message = AGREEMENT_FIELDS) AgreementBody request) {
        return Response.status(Response.Status.CREATED).entity(agreements.newVersion(caller.get(), id, request.toRequest())).build();
    }

    @POST
    @Path("{id}/submission")
    public AgreementService.AgreementView submit(@PathParam("id") long id) {
        return agreements.submit(caller.get(), id);
    }

    @POST
    @Path("{id}/decision")
    @Consumes(MediaType.APPLICATION_JSON)
    public AgreementService.AgreementView decide(@PathParam("id") long id,
                                                 @Valid @NotNull(message = "send {\"approve\": true|false, \"comment\": \"...\"}") DecisionBody decision) {
        return agreements.decide(caller.get(), id, decision.approve(), decision.comment());
    }

    @POST
    @Path("{id}/revocation")
    @Consumes(MediaType.APPLICATION_JSON)
    public AgreementService.AgreementView revoke(@PathParam("id") long id, AgreementRevocationBody request) {
        String reason = request == null ? null : request.reason();
        if (request != null && Boolean.TRUE.equals(request.withdrawContributions())) {
            // One transaction: the agreement is revoked only if the withdrawal can be asked for.
            withdrawals.request(caller.get(), id, reason);
            return agreements.agreement(id);
        }
        return agreements.revoke(caller.get(), id, reason);
    }

    /** What withdrawing the agreement's enterprise from the models trained under it would touch and cost. */
    @GET
    @Path("{id}/withdrawal-preview")
    public WithdrawalService.Preview withdrawalPreview(@PathParam("id") long id) {
        return withdrawals.preview(id);
    }

    /** Asks for the enterprise's contributions to be withdrawn, revoking the agreement if it is still in force. */
    @POST
    @Path("{id}/withdrawal")
    @Consumes(MediaType.APPLICATION_JSON)
    public Response requestWithdrawal(@PathParam("id") long id, @NotNull(message = "send {\"reason\"}") RevocationBody request) {
        return Response.status(Response.Status.CREATED).entity(withdrawals.request(caller.get(), id, request.reason())).build();
    }
}
