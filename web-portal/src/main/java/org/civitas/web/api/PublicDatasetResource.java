package org.civitas.web.api;

import jakarta.annotation.security.RolesAllowed;
import jakarta.ejb.EJB;
import jakarta.inject.Inject;
import jakarta.validation.constraints.NotNull;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import org.civitas.federation.coordinator.TowerPretrainingService;
import org.civitas.web.security.CurrentCaller;

import java.util.List;

/** Public datasets the consortium names for pretraining image towers at the coordinator. */
@Path("public-datasets")
@Produces(MediaType.APPLICATION_JSON)
public class PublicDatasetResource {

    @EJB
    TowerPretrainingService pretraining;

    @Inject
    CurrentCaller caller;

    public record PublicDatasetBody(String name, String description, String manifest) {
    }

    @GET
    public List<TowerPretrainingService.PublicDatasetView> list() {
        return pretraining.publicDatasets();
    }

    @POST
    @RolesAllowed("CONSORTIUM_ADMIN")
    @Consumes(MediaType.APPLICATION_JSON)
    public Response register(@NotNull(message = "send {\"name\", \"description\", \"manifest\"}") PublicDatasetBody body) {
        return Response.status(Response.Status.CREATED)
                .entity(pretraining.registerPublicDataset(caller.get(), body.name(), body.description(), body.manifest())).build();
    }
}
