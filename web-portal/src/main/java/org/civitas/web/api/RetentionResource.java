package org.civitas.web.api;

import jakarta.ejb.EJB;
import jakarta.inject.Inject;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import org.civitas.domain.security.Role;
import org.civitas.federation.common.InvalidRequestException;
import org.civitas.federation.common.RetentionRecords;
import org.civitas.federation.common.RetentionRuns;
import org.civitas.federation.coordinator.CoordinatorRetention;
import org.civitas.federation.site.SiteRetention;
import org.civitas.web.security.CurrentCaller;

import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;

/**
 * Retention on this server: what the agreements' retention no longer allows to keep (as of now, or
 * of a later instant), the runs of the {@code data-retention} job that erase it, and what each run
 * erased with its hash. The job also runs every night on its own.
 */
@Path("retention")
@Produces(MediaType.APPLICATION_JSON)
public class RetentionResource {

    /** What a run is asked for: the instant to judge retention at (default now; later erases early). */
    public record RunBody(String asOf) {
    }

    @EJB
    RetentionRuns runs;

    @EJB
    RetentionRecords records;

    @EJB
    CoordinatorRetention coordinator;

    @EJB
    SiteRetention sites;

    @Inject
    CurrentCaller caller;

    @Inject
    java.time.Clock clock;

    /** What a run as of {@code asOf} (default now) would erase, at the coordinator and at this server's sites; nothing is erased. */
    @GET
    @Path("due")
    public List<RetentionRecords.Due> due(@QueryParam("asOf") String asOf) {
        caller.get().require("see what retention would erase", Role.IT_OPERATOR, Role.CONSORTIUM_ADMIN, Role.COMPLIANCE_OFFICER,
                Role.AUDITOR);
        Instant at = instant(asOf);
        List<RetentionRecords.Due> out = new ArrayList<>(coordinator.due(at));
        out.addAll(sites.due(at));
        return out;
    }

    @POST
    @Path("runs")
    @Consumes(MediaType.APPLICATION_JSON)
    public Response start(RunBody body) {
        return Response.accepted(runs.start(caller.get(), instant(body == null ? null : body.asOf()))).build();
    }

    @GET
    @Path("runs")
    public List<RetentionRecords.RunView> list() {
        return records.runs();
    }

    @GET
    @Path("runs/{id}")
    public RetentionRecords.RunView get(@PathParam("id") long id) {
        return records.view(id);
    }

    private Instant instant(String text) {
        if (text == null || text.isBlank()) {
            return clock.instant();
        }
        try {
            return Instant.parse(text);
        } catch (DateTimeParseException e) {
            throw new InvalidRequestException("asOf: an instant like 2027-01-31T00:00:00Z, was '" + text + "'");
        }
    }
}
