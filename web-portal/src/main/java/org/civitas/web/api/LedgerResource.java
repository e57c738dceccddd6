package org.civitas.web.api;

import jakarta.validation.Valid;
import jakarta.validation.constraints.NotNull;
import org.civitas.web.api.dto.AdjustmentBody;
import org.civitas.web.api.dto.ReversalBody;

import jakarta.ejb.EJB;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.StreamingOutput;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVPrinter;
import org.civitas.federation.coordinator.LedgerService;

import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * The credit ledger: accounts and balances, statements of account (JSON or CSV), the ledger's
 * invariants, and hand-posted adjustments and reversals.
 */
@Path("ledger")
@Produces(MediaType.APPLICATION_JSON)
public class LedgerResource {

    @jakarta.inject.Inject
    org.civitas.web.security.CurrentCaller caller;

    @EJB
    LedgerService ledger;

    @GET
    @Path("accounts")
    public List<LedgerService.AccountView> accounts() {
        return ledger.accounts();
    }

    @GET
    @Path("accounts/{code}/statement")
    public LedgerService.Statement statement(@PathParam("code") String code) {
        return ledger.statement(code);
    }

    @GET
    @Path("accounts/{code}/statement.csv")
    @Produces("text/csv")
    public Response statementCsv(@PathParam("code") String code) {
        LedgerService.Statement statement = ledger.statement(code);
        StreamingOutput body = out -> {
            Writer writer = new OutputStreamWriter(out, StandardCharsets.UTF_8);
            try (CSVPrinter csv = new CSVPrinter(writer, CSVFormat.RFC4180.builder()
                    .setHeader("transaction", "posted_at", "kind", "round", "memo", "amount", "balance_after").get())) {
                for (LedgerService.StatementLine line : statement.lines()) {
                    csv.printRecord(line.transactionId(), line.postedAt(), line.kind(), line.federationRound(), line.memo(),
                            line.amount().toPlainString(), line.balanceAfter().toPlainString());
                }
            }
        };
        return Response.ok(body).header("Content-Disposition", "attachment; filename=\"statement-"
                + code.replaceAll("[^A-Za-z0-9._-]", "_") + ".csv\"").build();
    }

    @GET
    @Path("check")
    public LedgerService.Check check() {
        return ledger.check();
    }

    @jakarta.annotation.security.RolesAllowed({"CONSORTIUM_ADMIN"})
    @POST
    @Path("adjustments")
    @Consumes(MediaType.APPLICATION_JSON)
    public Response adjust(@Valid @NotNull(message = "send the adjustment as JSON") AdjustmentBody body) {
        return Response.status(201).entity(ledger.adjust(body.from(), body.to(), body.amount(), body.memo(), caller.get())).build();
    }

    @jakarta.annotation.security.RolesAllowed({"CONSORTIUM_ADMIN"})
    @POST
    @Path("transactions/{id}/reversal")
    @Consumes(MediaType.APPLICATION_JSON)
    public Response reverse(@PathParam("id") long id, ReversalBody request) {
        return Response.status(201).entity(ledger.reverse(id, request == null ? null : request.memo(), caller.get())).build();
    }
}
