package org.civitas.web.api;

import jakarta.validation.Valid;
import jakarta.validation.constraints.NotNull;
import org.civitas.web.api.dto.NewUserBody;

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
import org.civitas.domain.security.Role;
import org.civitas.federation.common.Caller;
import org.civitas.federation.common.InvalidRequestException;
import org.civitas.federation.common.UserService;
import org.civitas.web.security.CurrentCaller;

import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

/** User accounts: who may log in, with which roles, for which enterprise. */
@Path("users")
@Produces(MediaType.APPLICATION_JSON)
public class UserResource {

    @EJB
    UserService users;

    @Inject
    CurrentCaller caller;

    @GET
    @Path("me")
    public Caller me() {
        return caller.get();
    }

    @GET
    @RolesAllowed({"CONSORTIUM_ADMIN", "AUDITOR"})
    public List<Caller> list() {
        return users.users(caller.get());
    }

    @POST
    @RolesAllowed("CONSORTIUM_ADMIN")
    @Consumes(MediaType.APPLICATION_JSON)
    public Response add(@Valid @NotNull(message = "send username, password, roles and (for enterprise users) enterprise") NewUserBody user) {
        Set<Role> roles;
        try {
            roles = user.roles().stream().map(Role::valueOf).collect(Collectors.toSet());
        } catch (IllegalArgumentException e) {
            throw new InvalidRequestException("roles must be some of " + List.of(Role.values()) + ", was " + user.roles());
        }
        return Response.status(Response.Status.CREATED).entity(users.addUser(caller.get(), user.username(), user.password(), user.enterprise(), roles))
                .build();
    }
}
