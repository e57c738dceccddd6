package org.civitas.web.api;

import jakarta.validation.Valid;
import jakarta.validation.constraints.NotNull;
import org.civitas.web.api.dto.EnterpriseBody;

import jakarta.annotation.security.RolesAllowed;
import jakarta.ejb.EJB;
import jakarta.inject.Inject;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import org.civitas.federation.coordinator.SiteService;
import org.civitas.web.security.CurrentCaller;

import java.util.List;

/**
 * Member enterprises of the consortium. The administrator registers an enterprise before its
 * sites and users; a participant server registers its own enterprise for its local users.
 */
@Path("enterprises")
@Produces(MediaType.APPLICATION_JSON)
public class EnterpriseResource {

    @EJB
    SiteService sites;

    @Inject
    CurrentCaller caller;

    @GET
    public List<SiteService.EnterpriseView> list() {
        return sites.enterprises();
    }

    @POST
    @RolesAllowed("CONSORTIUM_ADMIN")
    @Consumes(MediaType.APPLICATION_JSON)
    public Response register(@Valid @NotNull(message = "send {\"code\", \"name\", \"sector\"}") EnterpriseBody registration) {
        return Response.status(Response.Status.CREATED).entity(sites.registerEnterprise(caller.get(), registration.code(),
                registration.name(), registration.sector())).build();
    }
}
