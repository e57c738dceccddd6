package org.civitas.federation.core.aggregation;

import org.civitas.federation.core.tensor.NamedTensors;

import java.util.ArrayList;
import java.util.List;

/**
 * The outcome of aggregating a round.
 *
 * @param global      the next global state
 * @param serverState what the strategy must get back next round (null when it keeps none)
 * @param excluded    updates that did not enter the aggregate, each with its reason
 */
public record AggregateResult(NamedTensors global, NamedTensors serverState, List<ExcludedUpdate> excluded) {

    public AggregateResult {
        excluded = List.copyOf(excluded);
    }

    public static AggregateResult of(NamedTensors global) {
        return new AggregateResult(global, null, List.of());
    }

    /** The same result with more excluded updates in front (from a wrapper that filtered them out first). */
    public AggregateResult withExcluded(List<ExcludedUpdate> earlier) {
        if (earlier.isEmpty()) {
            return this;
        }
        List<ExcludedUpdate> all = new ArrayList<>(earlier);
        all.addAll(excluded);
        return new AggregateResult(global, serverState, all);
    }

    /**
     * An update left out of the aggregate.
     *
     * @param site   whose update
     * @param reason why, in words
     */
    public record ExcludedUpdate(String site, String reason) {
    }
}
