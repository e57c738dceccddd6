package org.civitas.web.api;

import jakarta.validation.Valid;
import jakarta.validation.constraints.NotNull;
import org.civitas.web.api.dto.BudgetBody;

import jakarta.ejb.EJB;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import org.civitas.federation.coordinator.PrivacyBudgetService;

import java.util.List;

/**
 * The privacy-budget ledger: every enterprise dataset's lifetime (epsilon, delta) budget, the
 * epsilon its DP rounds spent so far (composed in RDP), and each round's charge.
 */
@Path("privacy/budgets")
@Produces(MediaType.APPLICATION_JSON)
public class PrivacyResource {

    @EJB
    PrivacyBudgetService budgets;

    @GET
    public List<PrivacyBudgetService.BudgetView> budgets() {
        return budgets.budgets();
    }

    @jakarta.annotation.security.RolesAllowed({"CONSORTIUM_ADMIN"})
    /** Sets (or changes) a dataset's budget: {@code {"epsilon": 8, "delta": 1e-5, "source": "..."}}. */
    @PUT
    @Path("{enterprise}/{dataset}")
    @Consumes(MediaType.APPLICATION_JSON)
    public PrivacyBudgetService.BudgetView set(@PathParam("enterprise") String enterprise, @PathParam("dataset") String dataset,
                                               @Valid @NotNull(message = "send the budget as JSON") BudgetBody body) {
        return budgets.set(enterprise, dataset, body.epsilon(), body.delta(), body.source(), caller.get());
    }

    @jakarta.inject.Inject
    org.civitas.web.security.CurrentCaller caller;
}
