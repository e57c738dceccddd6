package org.civitas.federation.core.aggregation;

import org.civitas.federation.core.tensor.NamedTensors;

import java.util.function.Supplier;

/**
 * One site's reply to a training round. The update is loaded on demand so that a streaming
 * strategy holds at most one site's update in memory at a time.
 *
 * @param site        the site that sent it
 * @param sampleCount samples the site trained on
 * @param staleness   how many global versions the site's starting state lags behind (0 when synchronous)
 * @param update      loads the site's update (trained state minus the state it started from)
 */
public record FitResult(String site, long sampleCount, int staleness, Supplier<NamedTensors> update) {

    public FitResult {
        if (sampleCount < 1) {
            throw new IllegalArgumentException("site " + site + " reported " + sampleCount + " samples; at least 1 is needed");
        }
        if (staleness < 0) {
            throw new IllegalArgumentException("site " + site + " has negative staleness " + staleness);
        }
    }

    public FitResult(String site, long sampleCount, Supplier<NamedTensors> update) {
        this(site, sampleCount, 0, update);
    }

    /** The same result with its update already in memory. */
    public FitResult loaded(NamedTensors tensors) {
        return new FitResult(site, sampleCount, staleness, () -> tensors);
    }
}
