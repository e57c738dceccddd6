package org.civitas.web.api;

import jakarta.ejb.EJB;
import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import org.civitas.domain.security.Role;
import org.civitas.federation.common.NotFoundException;
import org.civitas.federation.coordinator.CoordinatorLeadership;
import org.civitas.federation.infrastructure.CivitasSettings;
import org.civitas.web.security.CurrentCaller;

/**
 * The coordinator servers that share this database: which of them closes the rounds now (the
 * lease's holder and fencing token), and whether it is the server that answers.
 */
@Path("coordinator")
@Produces(MediaType.APPLICATION_JSON)
public class CoordinatorResource {

    @EJB
    CoordinatorLeadership leadership;

    @Inject
    CivitasSettings settings;

    @Inject
    CurrentCaller caller;

    @GET
    @Path("lease")
    public CoordinatorLeadership.View lease() {
        if (!settings.isCoordinator()) {
            throw new NotFoundException("this server is a participant: it has no coordinators' lease");
        }
        caller.get().require("see which coordinator server leads", Role.IT_OPERATOR, Role.CONSORTIUM_ADMIN, Role.AUDITOR);
        return leadership.view();
    }
}
