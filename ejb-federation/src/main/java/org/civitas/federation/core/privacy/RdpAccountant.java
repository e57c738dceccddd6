package org.civitas.federation.core.privacy;

import java.util.Arrays;

/**
 * Rényi differential privacy accounting for the sampled Gaussian mechanism, as DP-FedAvg uses it:
 * each round samples every site with probability q and adds Gaussian noise of multiplier σ to the
 * sum of clipped updates.
 *
 * <p>Per round and order α: for q = 1, ε(α) = α / (2σ²) (Mironov 2017, "Rényi Differential
 * Privacy", Proposition 7); for q &lt; 1 and integer α,
 * ε(α) = log(Σ_k C(α,k) (1−q)^(α−k) q^k exp((k²−k) / (2σ²))) / (α − 1)
 * (Mironov, Talwar, Zhang 2019, "Rényi Differential Privacy of the Sampled Gaussian Mechanism",
 * Section 3.3), summed over rounds. Conversion to (ε, δ) takes the best order of
 * ε = RDP(α) + log((α−1)/α) − (log δ + log α)/(α−1) (Canonne, Kamath, Steinke 2020, as in the
 * reference accountants). Fractional orders are used only where q = 1.
 */
public final class RdpAccountant {

    /** Integer orders 2..256: enough for the budgets federations use (ε from about 0.1 to 50). */
    public static final double[] DEFAULT_ORDERS = defaultOrders();

    private final double[] orders;
    private final double[] rdp;

    public RdpAccountant() {
        this(DEFAULT_ORDERS);
    }

    public RdpAccountant(double[] orders) {
        for (double a : orders) {
            if (!(a > 1) || !Double.isFinite(a)) {
                throw new IllegalArgumentException("Rényi orders must be finite and above 1, got " + a);
            }
        }
        this.orders = orders.clone();
        this.rdp = new double[orders.length];
    }

    /** Adds {@code steps} rounds of the sampled Gaussian mechanism. */
    public RdpAccountant compose(double samplingRate, double noiseMultiplier, int steps) {
        if (steps < 0) {
            throw new IllegalArgumentException("steps must not be negative, was " + steps);
        }
        for (int i = 0; i < orders.length; i++) {
            rdp[i] += steps * sampledGaussian(samplingRate, noiseMultiplier, orders[i]);
        }
        return this;
    }

    /** The accumulated RDP per order (a copy). */
    public double[] rdp() {
        return rdp.clone();
    }

    public double epsilon(double delta) {
        return epsilon(orders, rdp, delta).epsilon();
    }

    /** RDP of one step of the sampled Gaussian mechanism at order α. */
    public static double sampledGaussian(double q, double sigma, double alpha) {
        if (!(q >= 0 && q <= 1)) {
            throw new IllegalArgumentException("sampling rate must be in [0, 1], was " + q);
        }
        if (!(sigma >= 0) || Double.isNaN(sigma)) {
            throw new IllegalArgumentException("noise multiplier must not be negative, was " + sigma);
        }
        if (q == 0) {
            return 0;
        }
        if (sigma == 0) {
            return Double.POSITIVE_INFINITY;
        }
        if (q == 1) {
            return alpha / (2 * sigma * sigma);
        }
        if (alpha != Math.rint(alpha)) {
            throw new IllegalArgumentException("for a sampling rate below 1 only integer orders are supported, got " + alpha);
        }
        return logA(q, sigma, (int) alpha) / (alpha - 1);
    }

    /** log of Σ_k C(α,k) (1−q)^(α−k) q^k exp((k²−k)/(2σ²)), summed in log space. */
    static double logA(double q, double sigma, int alpha) {
        double logQ = Math.log(q);
        double log1mQ = Math.log1p(-q);
        double[] terms = new double[alpha + 1];
        double max = Double.NEGATIVE_INFINITY;
        for (int k = 0; k <= alpha; k++) {
            terms[k] = logBinomial(alpha, k) + (alpha - k) * log1mQ + k * logQ + (k * (double) k - k) / (2 * sigma * sigma);
            max = Math.max(max, terms[k]);
        }
        double sum = 0;
        for (double t : terms) {
            sum += Math.exp(t - max);
        }
        return max + Math.log(sum);
    }

    private static double logBinomial(int n, int k) {
        return logFactorial(n) - logFactorial(k) - logFactorial(n - k);
    }

    private static double logFactorial(int n) {
        double s = 0;
        for (int i = 2; i <= n; i++) {
            s += Math.log(i);
        }
        return s;
    }

    /** An (ε, δ) guarantee and the order that gave it. */
    public record Guarantee(double epsilon, double order) {
    }

    /** The smallest ε over the orders for the given δ. */
    public static Guarantee epsilon(double[] orders, double[] rdp, double delta) {
        if (!(delta > 0 && delta < 1)) {
            throw new IllegalArgumentException("delta must be in (0, 1), was " + delta);
        }
        if (Arrays.stream(rdp).allMatch(r -> r == 0)) {
            // Nothing was released (no round, or nobody sampled): the conversion's slack does not apply.
            return new Guarantee(0, orders.length == 0 ? Double.NaN : orders[orders.length - 1]);
        }
        double best = Double.POSITIVE_INFINITY;
        double bestOrder = Double.NaN;
        for (int i = 0; i < orders.length; i++) {
            double a = orders[i];
            double eps = rdp[i] + Math.log1p(-1 / a) - (Math.log(delta) + Math.log(a)) / (a - 1);
            if (eps < best) {
                best = eps;
                bestOrder = a;
            }
        }
        return new Guarantee(Math.max(0, best), bestOrder);
    }

    /** The smallest δ over the orders for the given ε. */
    public static double delta(double[] orders, double[] rdp, double epsilon) {
        double best = 1;
        for (int i = 0; i < orders.length; i++) {
            double a = orders[i];
            double logDelta = (a - 1) * (rdp[i] - epsilon + Math.log1p(-1 / a)) - Math.log(a);
            best = Math.min(best, Math.exp(logDelta));
        }
        return best;
    }

    private static double[] defaultOrders() {
        double[] orders = new double[255];
        for (int i = 0; i < orders.length; i++) {
            orders[i] = i + 2;
        }
        return orders;
    }

    @Override
    public String toString() {
        return "RdpAccountant" + Arrays.toString(Arrays.copyOf(rdp, Math.min(4, rdp.length)));
    }
}
