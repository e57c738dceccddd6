package org.civitas.federation.core.aggregation;

import org.civitas.federation.core.tensor.NamedTensors;
import org.civitas.federation.core.tensor.TensorChecks;

import java.util.List;
import java.util.Map;

/**
 * A federated aggregation rule, after Flower's Strategy: it configures each round, checks and
 * folds the sites' updates into the next global state, and summarises their evaluations. A
 * strategy holds no state between rounds: what it must remember (a server optimizer's moments)
 * comes in with the {@link RoundContext} and goes out with the {@link AggregateResult}, so the
 * caller can persist it. Robustness, clipping and privacy wrap a strategy; they do not subclass it.
 *
 * <p>An update is the site's trained state minus the round's global state.
 */
public interface Strategy {

    /** A short stable name, as used in federation plans. */
    String name();

    /** Updates that close a round, when the rule sets it (an asynchronous buffer); otherwise every site. */
    default java.util.OptionalInt roundQuorum() {
        return java.util.OptionalInt.empty();
    }

    /**
     * Whether an update trained for an earlier round may still count, in the open round, with its
     * staleness (asynchronous rules); otherwise a closed round refuses it.
     */
    default boolean acceptsStaleUpdates() {
        return false;
    }

    /**
     * Whether the rule folds a (weighted) mean of the updates into the state, so that a noised mean
     * can stand in for the individual updates (differential privacy, secure aggregation). Rules that
     * need to see individual updates (median, Krum, LoRA stacking) say no.
     */
    default boolean isMeanBased() {
        return false;
    }

    /** The fewest updates the rule can aggregate (Krum needs 2f + 3); plans that could close a round with fewer are refused. */
    default int minimumUpdates() {
        return 1;
    }

    /** Strategy-specific values every site receives with its round task (e.g. a proximal term). */
    default Map<String, Double> configureFit(int roundNumber) {
        return Map.of();
    }

    /**
     * Checks one update against the global state before it is accepted: by default the exact tensor
     * names and shapes, all values finite.
     *
     * @throws TensorChecks.InvalidUpdateException naming the problem
     */
    default void validateUpdate(NamedTensors global, NamedTensors update) {
        TensorChecks.requireSameLayout(global, update);
        TensorChecks.requireFinite(update);
    }

    /**
     * Folds the round's updates into the next global state. Results may be consumed once, in
     * order; a streaming strategy loads one update at a time.
     *
     * @throws IllegalArgumentException when nothing is left to aggregate or an update does not fit
     */
    AggregateResult aggregateFit(RoundContext context, NamedTensors global, Iterable<FitResult> results);

    /** The round's loss: the sample-weighted mean of the sites' reports. */
    default double aggregateEvaluate(int roundNumber, List<EvaluationResult> results) {
        if (results.isEmpty()) {
            throw new IllegalArgumentException("round " + roundNumber + " has no evaluation to aggregate");
        }
        double weighted = 0;
        double total = 0;
        for (EvaluationResult r : results) {
            weighted += r.sampleCount() * r.loss();
            total += r.sampleCount();
        }
        return weighted / total;
    }
}
