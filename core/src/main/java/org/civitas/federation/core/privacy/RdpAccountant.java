package org.civitas.federation.core.privacy;

import java.util.Arrays;

/**
 * Rényi differential privacy accounting for the sampled Gaussian mechanism, as DP-FedAvg uses it:
 * each round samples every site with probability q and adds Gaussian noise of multiplier σ to the
 * sum of clipped updates.
 *
 * <p>Per round and order α: for q = 1, ε(α) = α / (2σ²) (Mironov 2017, "Rényi Differential
 * Privacy", Proposition 7); for q &lt; 1, ε(α) = log(A_α) / (α − 1) with
 * A_α = E_{z∼N(0,σ²)}[((1−q) + q·exp((2z−1)/(2σ²)))^α] (Mironov, Talwar, Zhang 2019, "Rényi
 * Differential Privacy of the Sampled Gaussian Mechanism", Section 3.3): for integer α the finite
 * binomial sum Σ_k C(α,k) (1−q)^(α−k) q^k exp((k²−k)/(2σ²)); for fractional α the two series
 * their Section 3.3 gets by splitting the integral where both mixture parts are equal, each term
 * weighted by a Gaussian tail (erfc). Summed over rounds. Conversion to (ε, δ) takes the best order
 * of ε = RDP(α) + log((α−1)/α) − (log δ + log α)/(α−1) (Canonne, Kamath, Steinke 2020, as in the
 * reference accountants).
 */
public final class RdpAccountant {

    /**
     * The reference accountants' orders: 1.1 to 10.9 in steps of 0.1, then 12 to 63. Orders near 1
     * give the best ε for large budgets, where a grid that starts at 2 overstates ε (by up to 1.7x
     * at q = 1); orders past 63 matter only for ε well below 0.1.
     */
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
        if (alpha == Math.rint(alpha)) {
            return logA(q, sigma, (int) alpha) / (alpha - 1);
        }
        return logAFractional(q, sigma, alpha) / (alpha - 1);
    }

    /**
     * log A_α for a fractional order. With z0 = σ²·log(1/q − 1) + 1/2, where (1−q)·N(0,σ²) and
     * q·N(1,σ²) are equal, the integral splits at z0 and each side expands as a binomial series in
     * the smaller part: term i of the left side is C(α,i) q^i (1−q)^(α−i) exp((i²−i)/(2σ²))
     * · ½erfc((i−z0)/(√2σ)), of the right side C(α,i) q^(α−i) (1−q)^i exp((j²−j)/(2σ²))
     * · ½erfc((z0−j)/(√2σ)) with j = α − i. C(α,i) changes sign past α, so the sums are signed.
     * The series stops once i is past α and both terms are below e^-30 of the first.
     */
    static double logAFractional(double q, double sigma, double alpha) {
        double logQ = Math.log(q);
        double log1mQ = Math.log1p(-q);
        double z0 = sigma * sigma * Math.log(1 / q - 1) + 0.5;
        double scale = Math.sqrt(2) * sigma;
        SignedLog left = new SignedLog();
        SignedLog right = new SignedLog();
        double logCoefficient = 0;
        int sign = 1;
        for (int i = 0; i < 100_000; i++) {
            if (i > 0) {
                // C(α, i) = C(α, i−1)·(α − i + 1)/i
                double factor = alpha - i + 1;
                logCoefficient += Math.log(Math.abs(factor)) - Math.log(i);
                sign *= factor < 0 ? -1 : 1;
            }
            double j = alpha - i;
            double logLeft = logCoefficient + i * logQ + j * log1mQ + (i * (double) i - i) / (2 * sigma * sigma)
                    + Math.log(0.5) + logErfc((i - z0) / scale);
            double logRight = logCoefficient + j * logQ + i * log1mQ + (j * j - j) / (2 * sigma * sigma)
                    + Math.log(0.5) + logErfc((z0 - j) / scale);
            left.add(sign, logLeft);
            right.add(sign, logRight);
            if (i > alpha && Math.max(logLeft, logRight) < -30) {
                break;
            }
        }
        SignedLog total = new SignedLog();
        total.add(left.sign, left.log);
        total.add(right.sign, right.log);
        if (total.sign <= 0) {
            throw new ArithmeticException("the series for order " + alpha + " did not converge to a positive value (q = "
                    + q + ", sigma = " + sigma + ")");
        }
        return total.log;
    }

    /**
     * log(erfc(x)), also where erfc(x) underflows: from the library's erfc below x = 26 (erfc(26) is
     * about 1e-296, still a normal double), and beyond from the asymptotic series
     * erfc(x) = e^(−x²)/(x√π)·Σ_k (−1)^k (2k−1)!!/(2x²)^k, summed while its terms still shrink (they
     * do until k ≈ x², where they are far below double precision).
     */
    static double logErfc(double x) {
        if (x < 26) {
            return Math.log(org.apache.commons.math3.special.Erf.erfc(x));
        }
        double x2 = x * x;
        double term = 1;
        double sum = 1;
        for (int k = 1; k < x2; k++) {
            double next = -term * (2 * k - 1) / (2 * x2);
            if (Math.abs(next) >= Math.abs(term) || Math.abs(next) < 1e-17) {
                break;
            }
            term = next;
            sum += term;
        }
        return -x2 - Math.log(x) - 0.5 * Math.log(Math.PI) + Math.log(sum);
    }

    /** A running signed sum kept as sign and log of its magnitude, for terms far beyond double range. */
    private static final class SignedLog {
        int sign;
        double log = Double.NEGATIVE_INFINITY;

        void add(int termSign, double termLog) {
            if (termLog == Double.NEGATIVE_INFINITY || termSign == 0) {
                return;
            }
            if (sign == 0) {
                sign = termSign;
                log = termLog;
            } else if (sign == termSign) {
                double max = Math.max(log, termLog);
                log = max + Math.log(Math.exp(log - max) + Math.exp(termLog - max));
            } else if (termLog > log) {
                log = termLog + Math.log1p(-Math.exp(log - termLog));
                sign = termSign;
            } else if (termLog < log) {
                log = log + Math.log1p(-Math.exp(termLog - log));
            } else {
                sign = 0;
                log = Double.NEGATIVE_INFINITY;
            }
        }
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
        double[] orders = new double[99 + 52];
        for (int i = 0; i < 99; i++) {
            // 1.1, 1.2, ... 10.9, computed from integers so that each order is the nearest double to its decimal
            orders[i] = (11 + i) / 10.0;
        }
        for (int i = 0; i < 52; i++) {
            orders[99 + i] = 12 + i;
        }
        return orders;
    }

    @Override
    public String toString() {
        return "RdpAccountant" + Arrays.toString(Arrays.copyOf(rdp, Math.min(4, rdp.length)));
    }
}
