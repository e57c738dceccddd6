package org.civitas.web.api;

import jakarta.ejb.EJB;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import org.civitas.federation.coordinator.DatasetRegistry;

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

    @EJB
    org.civitas.federation.coordinator.DatasetQualityService quality;

    @GET
    public List<DatasetRegistry.DatasetView> list() {
        return registry.datasets();
    }

    /** The aggregate quality reports sites sent about their datasets, newest first. */
    @GET
    @Path("quality")
    public List<org.civitas.federation.coordinator.DatasetQualityService.ReportView> qualityReports() {
        return quality.reports();
    }

    @GET
    @Path("quality/{id}")
    public org.civitas.federation.coordinator.DatasetQualityService.ReportView qualityReport(@jakarta.ws.rs.PathParam("id") long id) {
        return quality.report(id);
    }
}
