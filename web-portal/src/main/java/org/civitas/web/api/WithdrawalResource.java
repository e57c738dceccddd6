package org.civitas.web.api;

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
import org.civitas.federation.coordinator.WithdrawalService;
import org.civitas.web.api.dto.DecisionBody;
import org.civitas.web.security.CurrentCaller;

import java.util.List;

/**
 * Withdrawals of an enterprise's contributions (asked for under an agreement, see
 * {@code /agreements/{id}/withdrawal}): the enterprise's and the consortium's compliance officers
 * decide; the second approval retrains the affected lines without the enterprise.
 */
@Path("withdrawals")
@Produces(MediaType.APPLICATION_JSON)
public class WithdrawalResource {

    @EJB
    WithdrawalService withdrawals;

    @Inject
    CurrentCaller caller;

    @GET
    public List<WithdrawalService.WithdrawalView> list() {
        return withdrawals.withdrawals();
    }

    /** The withdrawals waiting for the calling compliance officer's decision. */
    @GET
    @Path("review-queue")
    public List<WithdrawalService.WithdrawalView> reviewQueue() {
        return withdrawals.reviewQueue(caller.get());
    }

    @GET
    @Path("{id}")
    public WithdrawalService.WithdrawalView get(@PathParam("id") long id) {
        return withdrawals.withdrawal(id);
    }

    @POST
    @Path("{id}/decision")
    @Consumes(MediaType.APPLICATION_JSON)
    public WithdrawalService.WithdrawalView decide(@PathParam("id") long id,
                                                   @Valid @NotNull(message = "send {\"approve\": true|false, \"comment\": \"...\"}") DecisionBody decision) {
        return withdrawals.decide(caller.get(), id, decision.approve(), decision.comment());
    }
}
