package org.civitas.web.api;

import jakarta.annotation.security.RolesAllowed;
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
import jakarta.ws.rs.core.Response;
import org.civitas.federation.coordinator.TaskService;
import org.civitas.web.api.dto.TaskBody;
import org.civitas.web.security.CurrentCaller;

import java.util.List;

/**
 * The consortium's tasks, each in immutable versions: every member reads them; the consortium
 * administrator registers a task and, for a change, its next version.
 */
@Path("tasks")
@Produces(MediaType.APPLICATION_JSON)
public class TaskResource {

    static final String TASK_FIELDS = "send {\"name\", \"description\", \"labels\", \"modalities\", \"primaryMetric\"}";

    @EJB
    TaskService tasks;

    @Inject
    CurrentCaller caller;

    /** Every version of every task, by name and newest version first. */
    @GET
    public List<TaskService.TaskView> list() {
        return tasks.tasks();
    }

    /** The task's newest version. */
    @GET
    @Path("{name}")
    public TaskService.TaskView latest(@PathParam("name") String name) {
        return tasks.latest(name);
    }

    @GET
    @Path("{name}/versions")
    public List<TaskService.TaskView> versions(@PathParam("name") String name) {
        return tasks.versions(name);
    }

    @GET
    @Path("{name}/versions/{version}")
    public TaskService.TaskView version(@PathParam("name") String name, @PathParam("version") int version) {
        return tasks.version(name, version);
    }

    @POST
    @RolesAllowed("CONSORTIUM_ADMIN")
    @Consumes(MediaType.APPLICATION_JSON)
    public Response register(@Valid @NotNull(message = TASK_FIELDS) TaskBody task) {
        return Response.status(Response.Status.CREATED).entity(tasks.register(caller.get(), task.spec())).build();
    }

    /** What registers a test split: its name, a manifest inside the coordinator's folder, and the task version (newest if absent). */
    public record TestSplitBody(String name, String manifest, Integer taskVersion) {
    }

    /** A task version's newest test split, on which its federations' model versions are evaluated. */
    @GET
    @Path("{name}/versions/{version}/test-split")
    public TaskService.TestSplitView testSplit(@PathParam("name") String name, @PathParam("version") int version) {
        return tasks.testSplit(name, version).orElseThrow(() ->
                new org.civitas.federation.common.NotFoundException("task '" + name + "' v" + version + " has no test split"));
    }

    @POST
    @Path("{name}/test-splits")
    @RolesAllowed("CONSORTIUM_ADMIN")
    @Consumes(MediaType.APPLICATION_JSON)
    public Response registerTestSplit(@PathParam("name") String name,
                                      @NotNull(message = "send {\"name\", \"manifest\", \"taskVersion\"}") TestSplitBody body) {
        return Response.status(Response.Status.CREATED)
                .entity(tasks.registerTestSplit(caller.get(), name, body.taskVersion(), body.name(), body.manifest())).build();
    }

    @POST
    @Path("{name}/versions")
    @RolesAllowed("CONSORTIUM_ADMIN")
    @Consumes(MediaType.APPLICATION_JSON)
    public Response newVersion(@PathParam("name") String name, @Valid @NotNull(message = TASK_FIELDS) TaskBody task) {
        return Response.status(Response.Status.CREATED).entity(tasks.newVersion(caller.get(), name, task.spec())).build();
    }
}
