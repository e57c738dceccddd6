package org.civitas.federation.core.aggregation;

import org.civitas.federation.core.tensor.NamedTensors;

import java.util.function.Supplier;

/**
 * One site's reply to a training round. The update is loaded on demand so that a streaming
 * strategy holds at most one site's update in memory at a time.
 *
 * @param site        the site that sent it
 * @param sampleCount samples the site trained on
 * @param update      loads the site's update (trained state minus the round's global state)
 */
public record FitResult(String site, long sampleCount, Supplier<NamedTensors> update) {

    public FitResult {
        if (sampleCount < 1) {
            throw new IllegalArgumentException("site " + site + " reported " + sampleCount + " samples; at least 1 is needed");
        }
    }
}
