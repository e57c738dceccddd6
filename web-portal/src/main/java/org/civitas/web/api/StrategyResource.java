package org.civitas.web.api;

import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import org.civitas.federation.core.aggregation.StrategyCatalog;

import java.util.List;

/** The aggregation rules a plan may name, with their parameters, and the filters that wrap any of them. */
@Path("strategies")
@Produces(MediaType.APPLICATION_JSON)
public class StrategyResource {

    /** The catalogue as JSON: {@code rules} and {@code filters}. */
    public record Catalogue(List<StrategyCatalog.Spec> rules, List<StrategyCatalog.Param> filters) {
    }

    @GET
    public Catalogue list() {
        return new Catalogue(StrategyCatalog.rules(), StrategyCatalog.filters());
    }
}
