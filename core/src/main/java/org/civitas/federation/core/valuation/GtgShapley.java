package org.civitas.federation.core.valuation;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;

/**
 * GTG-Shapley: guided truncated gradient Shapley. Monte Carlo over permutations of the round's
 * sites, each permutation led in turn by a different site (guided sampling); while scanning a
 * permutation, once the prefix's utility is within the within-round tolerance of the full round's,
 * the remaining marginal gains are taken as zero (within-round truncation); a round whose full
 * update barely changes the utility is not valued at all (between-round truncation). Sub-models are
 * rebuilt from the round's updates by the utility, never retrained.
 *
 * <p>Liu, Chen, Yang, Zhou, Sun: "GTG-Shapley: Efficient and Accurate Participant Contribution
 * Evaluation in Federated Learning", ACM TIST 2022.
 *
 * <p>Parameters: within-round tolerance, between-round tolerance, at most {@code maxPermutations}
 * permutations, stop once no value moved by more than {@code convergence} (relative) over the last
 * round of n permutations; a seed, so a valuation can be repeated.
 */
public final class GtgShapley {

    /** The values and what they cost. */
    public record Result(Map<String, Double> values, int permutations, boolean truncatedRound) {
    }

    private final double withinRoundTolerance;
    private final double betweenRoundTolerance;
    private final int maxPermutations;
    private final double convergence;
    private final long seed;

    public GtgShapley(double withinRoundTolerance, double betweenRoundTolerance, int maxPermutations, double convergence, long seed) {
        if (!(withinRoundTolerance >= 0) || !(betweenRoundTolerance >= 0)) {
            throw new IllegalArgumentException("GTG-Shapley tolerances must not be negative");
        }
        if (maxPermutations < 1) {
            throw new IllegalArgumentException("GTG-Shapley maxPermutations must be at least 1, was " + maxPermutations);
        }
        if (!(convergence > 0)) {
            throw new IllegalArgumentException("GTG-Shapley convergence must be positive, was " + convergence);
        }
        this.withinRoundTolerance = withinRoundTolerance;
        this.betweenRoundTolerance = betweenRoundTolerance;
        this.maxPermutations = maxPermutations;
        this.convergence = convergence;
        this.seed = seed;
    }

    public Result values(List<String> sites, CoalitionUtility utility) {
        int n = sites.size();
        Map<String, Double> values = new LinkedHashMap<>();
        sites.forEach(s -> values.put(s, 0.0));
        double empty = utility.of(Set.of());
        double full = utility.of(new HashSet<>(sites));
        if (Math.abs(full - empty) <= betweenRoundTolerance) {
            return new Result(values, 0, true);
        }
        Random random = new Random(seed);
        double[] sum = new double[n];
        double[] previousMean = new double[n];
        int permutations = 0;
        while (permutations < maxPermutations) {
            for (int lead = 0; lead < n && permutations < maxPermutations; lead++) {
                List<Integer> order = new ArrayList<>();
                for (int i = 0; i < n; i++) {
                    if (i != lead) {
                        order.add(i);
                    }
                }
                Collections.shuffle(order, random);
                order.add(0, lead);
                Set<String> prefix = new HashSet<>();
                double before = empty;
                for (int index : order) {
                    double after;
                    if (Math.abs(full - before) >= withinRoundTolerance) {
                        prefix.add(sites.get(index));
                        after = utility.of(prefix);
                    } else {
                        prefix.add(sites.get(index));
                        after = before;
                    }
                    sum[index] += after - before;
                    before = after;
                }
                permutations++;
            }
            double maxChange = 0;
            double scale = 0;
            for (int i = 0; i < n; i++) {
                double mean = sum[i] / permutations;
                maxChange = Math.max(maxChange, Math.abs(mean - previousMean[i]));
                scale = Math.max(scale, Math.abs(mean));
                previousMean[i] = mean;
            }
            if (permutations >= 2 * n && maxChange <= convergence * Math.max(scale, 1e-12)) {
                break;
            }
        }
        for (int i = 0; i < n; i++) {
            values.put(sites.get(i), sum[i] / permutations);
        }
        return new Result(values, permutations, false);
    }
}
