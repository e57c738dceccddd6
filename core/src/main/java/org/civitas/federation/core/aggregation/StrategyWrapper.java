package org.civitas.federation.core.aggregation;

import org.civitas.federation.core.tensor.NamedTensors;

import java.util.Map;
import java.util.OptionalInt;

/**
 * Base of the wrappers (filters, clipping, privacy): everything but aggregation goes to the wrapped
 * rule unchanged, so a wrapper states only what it adds to {@link #aggregateFit}.
 */
public abstract class StrategyWrapper implements Strategy {

    protected final Strategy inner;

    protected StrategyWrapper(Strategy inner) {
        if (inner == null) {
            throw new IllegalArgumentException("a wrapper needs a strategy to wrap");
        }
        this.inner = inner;
    }

    @Override
    public String name() {
        return inner.name();
    }

    @Override
    public Map<String, Double> configureFit(int roundNumber) {
        return inner.configureFit(roundNumber);
    }

    @Override
    public void validateUpdate(NamedTensors global, NamedTensors update) {
        inner.validateUpdate(global, update);
    }

    @Override
    public OptionalInt roundQuorum() {
        return inner.roundQuorum();
    }

    @Override
    public int minimumUpdates() {
        return inner.minimumUpdates();
    }

    @Override
    public boolean isMeanBased() {
        return inner.isMeanBased();
    }

    @Override
    public boolean acceptsStaleUpdates() {
        return inner.acceptsStaleUpdates();
    }
}
