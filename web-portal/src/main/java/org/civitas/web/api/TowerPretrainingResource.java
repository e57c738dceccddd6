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
import org.civitas.federation.coordinator.TowerPretrainingService;
import org.civitas.web.security.CurrentCaller;

import java.util.List;

/**
 * Runs that pretrain an image tower on a public dataset at the coordinator, each with its progress,
 * loss curve, held-out accuracy and, once done, the base ({@code sha256:<hex>}) a manifest's
 * {@code image.base} names.
 */
@Path("tower-pretrainings")
@Produces(MediaType.APPLICATION_JSON)
public class TowerPretrainingResource {

    @EJB
    TowerPretrainingService pretraining;

    @Inject
    CurrentCaller caller;

    @GET
    public List<TowerPretrainingService.RunView> list() {
        return pretraining.runs();
    }

    @GET
    @Path("{id}")
    public TowerPretrainingService.RunView run(@PathParam("id") long id) {
        return pretraining.run(id);
    }

    /** Starts a run: {"name", "image": {a manifest's image object}, "dataset", "epochs", "learningRate", "batchSize", "seed"}. */
    @POST
    @RolesAllowed("CONSORTIUM_ADMIN")
    @Consumes(MediaType.APPLICATION_JSON)
    public Response start(@NotNull(message = "send {\"name\", \"image\", \"dataset\", \"epochs\", \"learningRate\", \"batchSize\", \"seed\"}")
                          TowerPretrainingService.PretrainingRequest body) {
        return Response.status(Response.Status.ACCEPTED).entity(pretraining.start(caller.get(), body)).build();
    }
}
