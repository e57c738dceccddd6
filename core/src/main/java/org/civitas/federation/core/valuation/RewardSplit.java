package org.civitas.federation.core.valuation;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.math.RoundingMode;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Splits a round's reward among sites: a participation share in equal parts among the eligible
 * sites that took part, the rest in proportion to their contribution values.
 *
 * <p>The rule for values that are not positive: a site whose value is zero or negative receives
 * nothing that round and is never charged (a bad round costs a site its reward, not credits it
 * earned before). Ineligible sites (free riders, sites under the plan's minimum) receive nothing
 * either. When no site has a positive share the whole reward is left unpaid, and stays with the
 * payer. Shares are cut to the ledger's unit (10^-scale) by largest remainder, ties broken by
 * site name, so the shares always add up to exactly the amount paid.
 */
public final class RewardSplit {

    private RewardSplit() {
    }

    /**
     * @param reward     the round's reward, at most {@code scale} decimals, not negative
     * @param values     contribution value per site
     * @param ineligible sites that receive nothing this round whatever their value
     * @return the share per site (every site of {@code values}, zeros included), summing to
     *         {@code reward} when any site has a positive eligible value and to zero otherwise
     */
    public static Map<String, BigDecimal> split(BigDecimal reward, Map<String, Double> values, Set<String> ineligible, int scale) {
        return split(reward, values, ineligible, scale, 0);
    }

    /**
     * @param participationShare the fraction of the reward, in [0, 1], paid in equal parts to every
     *                           eligible site whatever its value (an honest site whose data did not
     *                           help this round is still paid for taking part); the rest goes by value
     */
    public static Map<String, BigDecimal> split(BigDecimal reward, Map<String, Double> values, Set<String> ineligible, int scale,
                                                double participationShare) {
        if (!(participationShare >= 0 && participationShare <= 1)) {
            throw new IllegalArgumentException("participationShare must be in [0, 1], was " + participationShare);
        }
        if (reward == null || reward.signum() < 0) {
            throw new IllegalArgumentException("reward must not be negative, was " + reward);
        }
        BigDecimal participation = reward.multiply(BigDecimal.valueOf(participationShare)).setScale(scale, RoundingMode.DOWN);
        Map<String, Double> equal = new TreeMap<>();
        values.keySet().forEach(site -> equal.put(site, 1.0));
        Map<String, BigDecimal> shares = byValue(participation, equal, ineligible, scale);
        byValue(reward.subtract(participation), values, ineligible, scale).forEach((site, share) -> shares.merge(site, share, BigDecimal::add));
        return shares;
    }

    private static Map<String, BigDecimal> byValue(BigDecimal reward, Map<String, Double> values, Set<String> ineligible, int scale) {
        if (reward == null || reward.signum() < 0) {
            throw new IllegalArgumentException("reward must not be negative, was " + reward);
        }
        BigDecimal unit = BigDecimal.ONE.movePointLeft(scale);
        BigInteger units = reward.setScale(scale, RoundingMode.UNNECESSARY).unscaledValue();
        Map<String, BigDecimal> weights = new TreeMap<>();
        BigDecimal total = BigDecimal.ZERO;
        for (Map.Entry<String, Double> e : values.entrySet()) {
            double v = e.getValue() == null || !Double.isFinite(e.getValue()) ? 0 : e.getValue();
            BigDecimal w = ineligible.contains(e.getKey()) || v <= 0 ? BigDecimal.ZERO : BigDecimal.valueOf(v);
            weights.put(e.getKey(), w);
            total = total.add(w);
        }
        Map<String, BigDecimal> shares = new TreeMap<>();
        if (total.signum() == 0) {
            weights.keySet().forEach(site -> shares.put(site, BigDecimal.ZERO.setScale(scale)));
            return shares;
        }
        record Part(String site, BigInteger whole, BigDecimal remainder) {
        }
        List<Part> parts = new ArrayList<>();
        BigInteger given = BigInteger.ZERO;
        for (Map.Entry<String, BigDecimal> e : weights.entrySet()) {
            BigDecimal exact = new BigDecimal(units).multiply(e.getValue()).divide(total, 20, RoundingMode.HALF_EVEN);
            BigInteger whole = exact.setScale(0, RoundingMode.FLOOR).toBigIntegerExact();
            parts.add(new Part(e.getKey(), whole, exact.subtract(new BigDecimal(whole))));
            given = given.add(whole);
        }
        int left = units.subtract(given).intValueExact();
        parts.sort(Comparator.comparing(Part::remainder).reversed().thenComparing(Part::site));
        for (int i = 0; i < parts.size(); i++) {
            Part p = parts.get(i);
            // Only sites with a positive weight take a leftover unit.
            BigInteger extra = i < left && weights.get(p.site()).signum() > 0 ? BigInteger.ONE : BigInteger.ZERO;
            shares.put(p.site(), new BigDecimal(p.whole().add(extra)).multiply(unit).setScale(scale, RoundingMode.UNNECESSARY));
        }
        return shares;
    }
}
