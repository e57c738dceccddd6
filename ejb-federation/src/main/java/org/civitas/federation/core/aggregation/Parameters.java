package org.civitas.federation.core.aggregation;

/** Constructor checks shared by the strategies; each message names the strategy and the parameter. */
final class Parameters {

    private Parameters() {
    }

    static double positive(String strategy, String name, double value) {
        if (!(value > 0) || !Double.isFinite(value)) {
            throw new IllegalArgumentException(strategy + " " + name + " must be a positive number, was " + value);
        }
        return value;
    }

    static double nonNegative(String strategy, String name, double value) {
        if (!(value >= 0) || !Double.isFinite(value)) {
            throw new IllegalArgumentException(strategy + " " + name + " must be a non-negative number, was " + value);
        }
        return value;
    }

    static double inRange(String strategy, String name, double value, double minInclusive, double maxExclusive) {
        if (!(value >= minInclusive && value < maxExclusive)) {
            throw new IllegalArgumentException(strategy + " " + name + " must be in [" + minInclusive + ", " + maxExclusive
                    + "), was " + value);
        }
        return value;
    }

    static int atLeast(String strategy, String name, int value, int min) {
        if (value < min) {
            throw new IllegalArgumentException(strategy + " " + name + " must be at least " + min + ", was " + value);
        }
        return value;
    }
}
