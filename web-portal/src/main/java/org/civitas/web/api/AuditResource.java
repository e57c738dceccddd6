package org.civitas.web.api;

import jakarta.ejb.EJB;
import jakarta.ws.rs.DefaultValue;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import org.civitas.federation.common.AuditService;

import java.util.List;

/** The audit chain: recent entries (optionally those whose action or subject starts with a prefix) and verification. */
@Path("audit")
@Produces(MediaType.APPLICATION_JSON)
public class AuditResource {

    @EJB
    AuditService audit;

    @GET
    public List<AuditService.EntryView> recent(@QueryParam("prefix") String prefix, @QueryParam("limit") @DefaultValue("100") int limit) {
        return audit.recent(prefix, limit);
    }

    @GET
    @Path("verify")
    public AuditService.VerificationView verify() {
        return audit.verify();
    }
}
