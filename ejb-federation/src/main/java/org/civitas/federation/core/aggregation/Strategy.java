package org.civitas.federation.core.aggregation;

import org.civitas.federation.core.tensor.NamedTensors;

import java.util.List;

/**
 * A federated aggregation rule, after Flower's Strategy: it configures each round, folds the
 * sites' updates into the next global state, and summarises their evaluations. Robustness and
 * privacy are meant to wrap a strategy, not subclass it.
 */
public interface Strategy {

    /** A short stable name, as used in federation plans. */
    String name();

    RoundInstructions configureFit(int roundNumber);

    /**
     * The next global state. Results may be consumed once, in order, and must not be retained.
     *
     * @throws IllegalArgumentException when there is no result or an update does not match the global state
     */
    NamedTensors aggregateFit(int roundNumber, NamedTensors global, Iterable<FitResult> results);

    /** The round's loss from the sites' reports. */
    double aggregateEvaluate(int roundNumber, List<EvaluationResult> results);
}
