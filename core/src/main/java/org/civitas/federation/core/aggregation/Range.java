package org.civitas.federation.core.aggregation;

import java.util.Locale;

/**
 * The values a rule's parameter may take. The catalogue shows it and the rule's constructor checks
 * with it, so the two cannot disagree about a bound (a trimmed-mean beta of 0.5, a momentum of 1).
 *
 * @param min          lower bound
 * @param minInclusive whether {@code min} itself is allowed
 * @param max          upper bound ({@link Double#MAX_VALUE} for none)
 * @param maxInclusive whether {@code max} itself is allowed
 * @param integer      whether only whole numbers are allowed
 */
public record Range(double min, boolean minInclusive, double max, boolean maxInclusive, boolean integer) {

    /** [min, max]. */
    public static Range closed(double min, double max) {
        return new Range(min, true, max, true, false);
    }

    /** [min, max). */
    public static Range closedOpen(double min, double max) {
        return new Range(min, true, max, false, false);
    }

    /** (0, max]. */
    public static Range positiveUpTo(double max) {
        return new Range(0, false, max, true, false);
    }

    /** Whole numbers from min to max. */
    public static Range wholeNumbers(int min, int max) {
        return new Range(min, true, max, true, true);
    }

    public boolean contains(double value) {
        if (Double.isNaN(value) || Double.isInfinite(value)) {
            return false;
        }
        boolean aboveMin = minInclusive ? value >= min : value > min;
        boolean belowMax = maxInclusive ? value <= max : value < max;
        return aboveMin && belowMax && (!integer || value == Math.rint(value));
    }

    /**
     * The value, when allowed.
     *
     * @throws IllegalArgumentException naming the owner, the parameter, the range and the value
     */
    public double check(String owner, String name, double value) {
        if (!contains(value)) {
            throw new IllegalArgumentException(owner + " " + problem(name, value));
        }
        return value;
    }

    /** {@link #check} for whole numbers. */
    public int checkInt(String owner, String name, double value) {
        return (int) check(owner, name, value);
    }

    /** Why the value is refused ("beta must be in [0, 0.5], was 0.7"), or null when it is allowed. */
    public String problem(String name, double value) {
        if (contains(value)) {
            return null;
        }
        if (integer && value != Math.rint(value) && Double.isFinite(value)) {
            return name + " must be a whole number, was " + format(value);
        }
        return name + " must be in " + this + ", was " + format(value);
    }

    @Override
    public String toString() {
        return (minInclusive ? "[" : "(") + format(min) + ", " + (max == Double.MAX_VALUE ? "∞" : format(max))
                + (maxInclusive && max != Double.MAX_VALUE ? "]" : ")");
    }

    private static String format(double v) {
        return v == Math.rint(v) && Math.abs(v) < 1e15 ? String.valueOf((long) v) : String.format(Locale.ROOT, "%s", v);
    }
}
