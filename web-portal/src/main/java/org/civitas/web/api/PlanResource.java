package org.civitas.web.api;

import jakarta.ejb.EJB;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import org.civitas.federation.coordinator.FederationService;
import org.civitas.federation.coordinator.PlanRequest;

/** A plan before it runs: validated, with the hash agreements bind to and the enterprises that must agree. */
@Path("plans")
@Produces(MediaType.APPLICATION_JSON)
public class PlanResource {

    @EJB
    FederationService federations;

    @POST
    @Path("preview")
    @Consumes(MediaType.APPLICATION_JSON)
    public FederationService.PlanPreview preview(PlanRequest plan) {
        return federations.preview(plan);
    }
}
