package org.civitas.federation.demo;

import org.civitas.federation.coordinator.PlanRequest;

import java.util.Map;
import java.util.TreeMap;

/**
 * The demo's three plans, requested like any consortium's: the default plan (a feature model over
 * the sites' feature tables), the multimodal model on the city-safety task with each site's imported
 * dataset version pinned, and secure aggregation with differential privacy on the feature tables.
 */
final class DemoPlans {

    private DemoPlans() {
    }

    /** The first federation: every default (the embedded consortium's sites, softmax regression, FedAvg, 5 rounds). */
    static PlanRequest features() {
        return PlanRequest.defaults();
    }

    /**
     * The second: the multimodal model of the registered manifest, bound to the city-safety task, on
     * each site's dataset version, trained in the sites' model worker.
     *
     * @param manifestSha256 the registered (label-less) manifest
     * @param datasets       each site's content hash of its imported city-safety dataset
     */
    static PlanRequest multimodal(String manifestSha256, Map<String, String> datasets) {
        Map<String, PlanRequest.DatasetRef> pinned = new TreeMap<>();
        datasets.forEach((site, sha256) -> pinned.put(site, new PlanRequest.DatasetRef(DemoDatasets.NAME, sha256)));
        // Adam at 0.002: the shipped small CNN federates better at it than at 0.005 on this data (docs/BENCHMARKS.md).
        return new PlanRequest("City safety multimodal demo", null, null, null, null, null, null, 3, null, 0.002, null, null, null, null,
                null, null, DemoDatasets.TASK, null, manifestSha256, pinned, null, null);
    }

    /**
     * The third: secure aggregation and client-level DP together, the noise split across the sites;
     * its rounds are charged to the sites' privacy ledgers for the feature table.
     */
    static PlanRequest privateFeatures() {
        return new PlanRequest("City safety private demo", null, null, null, null, null, null, 5, null, null, null, null, null,
                new PlanRequest.Privacy(1.0, 0.5, 1e-5, "incident-features"), null, new PlanRequest.SecureAggregation(null, null), null, null,
                null, null, null, null);
    }
}
