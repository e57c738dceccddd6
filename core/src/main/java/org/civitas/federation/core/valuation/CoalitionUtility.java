package org.civitas.federation.core.valuation;

import java.util.Set;

/** The value of a coalition of sites, for example the validation accuracy of the model built from their updates alone. */
@FunctionalInterface
public interface CoalitionUtility {

    double of(Set<String> coalition);

    /** The same utility with every coalition evaluated once (valuations ask for the same coalitions many times). */
    default CoalitionUtility memoized() {
        java.util.Map<Set<String>, Double> cache = new java.util.concurrent.ConcurrentHashMap<>();
        return coalition -> cache.computeIfAbsent(Set.copyOf(coalition), this::of);
    }
}
