package org.civitas.web.api;

import jakarta.ejb.EJB;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import org.civitas.federation.application.SiteService;

import java.util.List;

/** Sites of member enterprises. Registering one answers its access token, once. */
@Path("sites")
@Produces(MediaType.APPLICATION_JSON)
public class SiteResource {

    @EJB
    SiteService sites;

    @POST
    @Consumes(MediaType.APPLICATION_JSON)
    public Response register(SiteService.SiteRegistration registration) {
        return Response.status(Response.Status.CREATED).entity(sites.register(registration)).build();
    }

    @GET
    public List<SiteService.SiteView> list() {
        return sites.sites();
    }
}
