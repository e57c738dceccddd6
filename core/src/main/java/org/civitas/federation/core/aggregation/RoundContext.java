package org.civitas.federation.core.aggregation;

import org.civitas.federation.core.tensor.NamedTensors;

/**
 * What a strategy knows about the round it aggregates.
 *
 * @param roundNumber the round, from 1
 * @param serverState the state the strategy left after the previous round, or null in the first
 */
public record RoundContext(int roundNumber, NamedTensors serverState) {

    public static RoundContext first() {
        return new RoundContext(1, null);
    }
}
