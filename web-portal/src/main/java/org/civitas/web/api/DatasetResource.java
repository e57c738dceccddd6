package org.civitas.web.api;

import jakarta.ejb.EJB;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import org.civitas.federation.application.DatasetRegistry;

import java.util.List;

/**
 * The coordinator's register of datasets: aggregates only. Sites import manifests through
 * {@code POST /sites/{site}/datasets} (see {@link SiteResource}).
 */
@Path("datasets")
@Produces(MediaType.APPLICATION_JSON)
public class DatasetResource {

    @EJB
    DatasetRegistry registry;

    @GET
    public List<DatasetRegistry.DatasetView> list() {
        return registry.datasets();
    }
}
