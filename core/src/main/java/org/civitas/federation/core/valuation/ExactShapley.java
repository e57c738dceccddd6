package org.civitas.federation.core.valuation;

import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Exact Shapley values: each site's marginal gain averaged over every coalition of the others,
 * weighted by |S|!(n−|S|−1)!/n!. Needs 2^n utility evaluations, so it is for few sites and for
 * testing the approximations.
 *
 * <p>Shapley, "A Value for n-Person Games", 1953.
 */
public final class ExactShapley {

    public static final int MAX_SITES = 16;

    private ExactShapley() {
    }

    public static Map<String, Double> values(List<String> sites, CoalitionUtility utility) {
        int n = sites.size();
        if (n < 1 || n > MAX_SITES) {
            throw new IllegalArgumentException("exact Shapley values need 1 to " + MAX_SITES + " sites, got " + n);
        }
        double[] utilities = new double[1 << n];
        for (int mask = 0; mask < utilities.length; mask++) {
            utilities[mask] = utility.of(coalition(sites, mask));
        }
        double[] weight = new double[n];
        for (int s = 0; s < n; s++) {
            weight[s] = Math.exp(logFactorial(s) + logFactorial(n - s - 1) - logFactorial(n));
        }
        Map<String, Double> values = new LinkedHashMap<>();
        for (int i = 0; i < n; i++) {
            double value = 0;
            for (int mask = 0; mask < utilities.length; mask++) {
                if ((mask & (1 << i)) == 0) {
                    value += weight[Integer.bitCount(mask)] * (utilities[mask | (1 << i)] - utilities[mask]);
                }
            }
            values.put(sites.get(i), value);
        }
        return values;
    }

    static Set<String> coalition(List<String> sites, int mask) {
        Set<String> s = new HashSet<>();
        for (int i = 0; i < sites.size(); i++) {
            if ((mask & (1 << i)) != 0) {
                s.add(sites.get(i));
            }
        }
        return s;
    }

    private static double logFactorial(int n) {
        double s = 0;
        for (int i = 2; i <= n; i++) {
            s += Math.log(i);
        }
        return s;
    }
}
