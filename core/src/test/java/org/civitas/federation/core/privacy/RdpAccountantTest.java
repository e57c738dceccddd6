package org.civitas.federation.core.privacy;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

class RdpAccountantTest {

    @Test
    void fullParticipationIsTheGaussianMechanismInClosedForm() {
        for (double alpha : new double[] {1.5, 2, 3.14159, 32, 255.5}) {
            assertThat(RdpAccountant.sampledGaussian(1.0, 2.71828, alpha)).isCloseTo(alpha / (2 * 2.71828 * 2.71828), within(1e-12));
        }
    }

    @Test
    void theBinomialFormAgreesWithNumericalIntegration() {
        // A_alpha = E_{z ~ N(0, s^2)} [((1 - q) + q exp((2z - 1) / (2 s^2)))^alpha], integrated by Simpson's rule
        double[][] cases = {{0.01, 1.0, 2}, {0.01, 1.0, 8}, {0.1, 2.0, 16}, {0.05, 0.8, 6}, {0.3, 4.0, 32}, {0.9, 1.5, 5}};
        for (double[] c : cases) {
            double q = c[0];
            double sigma = c[1];
            int alpha = (int) c[2];
            double integral = simpson(z -> gaussianDensity(z, sigma) * Math.pow((1 - q) + q * Math.exp((2 * z - 1) / (2 * sigma * sigma)), alpha),
                    -40 * sigma, 40 * sigma + 40, 400_000);
            assertThat(RdpAccountant.logA(q, sigma, alpha)).as("q=%s sigma=%s alpha=%s", q, sigma, alpha)
                    .isCloseTo(Math.log(integral), within(1e-6 * Math.max(1, Math.abs(Math.log(integral)))));
        }
    }

    @Test
    void fractionalOrdersAgreeWithNumericalIntegration() {
        // The erfc series for fractional orders against Simpson's rule on the same integral
        double[][] cases = {{0.1, 1.0, 1.5}, {0.01, 1.1, 3.7}, {0.5, 2.0, 10.9}, {0.2, 0.9, 2.3}, {0.05, 0.7, 7.5},
                {0.3, 4.0, 31.5}, {0.9, 1.5, 5.5}, {0.001, 0.6, 1.1}};
        for (double[] c : cases) {
            double q = c[0];
            double sigma = c[1];
            double alpha = c[2];
            double integral = simpson(z -> gaussianDensity(z, sigma) * Math.pow((1 - q) + q * Math.exp((2 * z - 1) / (2 * sigma * sigma)), alpha),
                    -30 * sigma, alpha + 2 + 30 * sigma, 400_000);
            assertThat(RdpAccountant.logAFractional(q, sigma, alpha)).as("q=%s sigma=%s alpha=%s", q, sigma, alpha)
                    .isCloseTo(Math.log(integral), within(1e-7 * Math.max(1e-3, Math.abs(Math.log(integral)))));
        }
        // and against values from an arbitrary-precision quadrature (30 digits) of that integral
        assertThat(RdpAccountant.logAFractional(0.1, 1.0, 1.5)).isCloseTo(0.00586729609834262, within(1e-12));
        assertThat(RdpAccountant.logAFractional(0.5, 2.0, 10.9)).isCloseTo(6.93126190806434, within(1e-10));
        assertThat(RdpAccountant.logAFractional(0.05, 0.7, 7.5)).isCloseTo(27.2771531203145, within(1e-9));
    }

    @Test
    void logErfcJoinsTheLibraryAndTheAsymptoticSeries() {
        // log erfc(30) from an arbitrary-precision evaluation; erfc(30) itself underflows a double
        assertThat(RdpAccountant.logErfc(26.0)).isCloseTo(Math.log(org.apache.commons.math3.special.Erf.erfc(26.0)), within(1e-9));
        assertThat(RdpAccountant.logErfc(Math.nextUp(26.0))).isCloseTo(RdpAccountant.logErfc(26.0), within(1e-9));
        assertThat(RdpAccountant.logErfc(30.0)).isCloseTo(-903.97411711064, within(1e-9));
        assertThat(RdpAccountant.logErfc(-3.0)).isCloseTo(Math.log(2 - 2.209049699858544e-5), within(1e-15));
    }

    @Test
    void epsilonOnTheReferenceGridMatchesAnIndependentComputation() {
        // Pinned from an arbitrary-precision quadrature of A_alpha at every order of the grid, then the
        // same conversion: (q, sigma, rounds) -> epsilon at delta 1e-5 and the order that gave it.
        double[][] cases = {
                {0.1, 1.0, 100, 7.89925500244, 3.2},
                {0.5, 2.0, 10, 4.36685055113, 5.1},
                {0.01, 1.1, 1000, 1.71177009122, 9.6},
                {1.0, 0.8, 5, 16.2691259467, 2.6},
                {1.0, 0.3, 8, 87.7829750917, 1.5}};
        for (double[] c : cases) {
            RdpAccountant accountant = new RdpAccountant().compose(c[0], c[1], (int) c[2]);
            RdpAccountant.Guarantee g = RdpAccountant.epsilon(RdpAccountant.DEFAULT_ORDERS, accountant.rdp(), 1e-5);
            assertThat(g.epsilon()).as("q=%s sigma=%s rounds=%s", c[0], c[1], c[2]).isCloseTo(c[3], within(1e-8 * c[3]));
            assertThat(g.order()).as("q=%s sigma=%s rounds=%s", c[0], c[1], c[2]).isCloseTo(c[4], within(1e-12));
        }
    }

    @Test
    void theReferenceGridAndNoOtherOrders() {
        double[] orders = RdpAccountant.DEFAULT_ORDERS;
        assertThat(orders).hasSize(99 + 52);
        assertThat(orders[0]).isEqualTo(1.1);
        assertThat(orders[98]).isEqualTo(10.9);
        assertThat(orders[99]).isEqualTo(12);
        assertThat(orders[orders.length - 1]).isEqualTo(63);
    }

    @Test
    void integerOrdersFromTwoOverstatedLargeBudgets() {
        // At q = 1 and little noise the best order lies below 2, which the old grid (2..256) lacked
        double[] integers = new double[255];
        for (int i = 0; i < integers.length; i++) {
            integers[i] = i + 2;
        }
        double old = new RdpAccountant(integers).compose(1.0, 0.1, 10).epsilon(1e-5);
        double now = new RdpAccountant().compose(1.0, 0.1, 10).epsilon(1e-5);
        assertThat(old / now).isGreaterThan(1.4);
        // at q = 1 the RDP is linear in the order: the grid's optimum, by hand, is at order 1.2
        double byHand = 10 * 1.2 / (2 * 0.01) + Math.log1p(-1 / 1.2) - (Math.log(1e-5) + Math.log(1.2)) / 0.2;
        assertThat(now).isCloseTo(byHand, within(1e-9));
        RdpAccountant.Guarantee g = RdpAccountant.epsilon(RdpAccountant.DEFAULT_ORDERS,
                new RdpAccountant().compose(1.0, 0.1, 10).rdp(), 1e-5);
        assertThat(g.order()).isEqualTo(1.2);
    }

    @Test
    void conversionMatchesAPublishedValue() {
        // The reference accountant's test: constant RDP 1.1 over orders 2..32 at delta 1e-5 gives
        // epsilon 1.32783806176 at order 32.
        double[] orders = new double[31];
        double[] rdp = new double[31];
        for (int i = 0; i < 31; i++) {
            orders[i] = i + 2;
            rdp[i] = 1.1;
        }
        RdpAccountant.Guarantee g = RdpAccountant.epsilon(orders, rdp, 1e-5);
        assertThat(g.epsilon()).isCloseTo(1.32783806176, within(1e-9));
        assertThat(g.order()).isEqualTo(32);
        assertThat(RdpAccountant.delta(orders, rdp, 1.32783806176)).isCloseTo(1e-5, within(1e-12));
    }

    @Test
    void aGaussianCalibratedForOneAndOneInAMillion() {
        // sigma 4.530877117 is calibrated to give exactly (1, 1e-6)-DP over fine fractional orders
        double[] orders = new double[99_000];
        for (int i = 0; i < orders.length; i++) {
            orders[i] = 1.001 + 0.001 * i;
        }
        RdpAccountant accountant = new RdpAccountant(orders).compose(1.0, 4.530877117, 1);
        assertThat(accountant.epsilon(1e-6)).isCloseTo(1.0, within(1e-6));
    }

    @Test
    void moreRoundsCostMoreAndMoreNoiseCostsLess() {
        double few = new RdpAccountant().compose(0.5, 1.0, 10).epsilon(1e-5);
        double many = new RdpAccountant().compose(0.5, 1.0, 100).epsilon(1e-5);
        double noisier = new RdpAccountant().compose(0.5, 2.0, 100).epsilon(1e-5);
        assertThat(many).isGreaterThan(few);
        assertThat(noisier).isLessThan(many);
        assertThat(new RdpAccountant().compose(0, 1.0, 100).epsilon(1e-5)).isZero();
        assertThat(new RdpAccountant().compose(1, 0, 1).epsilon(1e-5)).isInfinite();
        assertThatThrownBy(() -> RdpAccountant.epsilon(new double[] {2}, new double[] {1}, 0)).hasMessageContaining("delta must be in (0, 1)");
    }

    private static double gaussianDensity(double z, double sigma) {
        return Math.exp(-z * z / (2 * sigma * sigma)) / (sigma * Math.sqrt(2 * Math.PI));
    }

    private static double simpson(java.util.function.DoubleUnaryOperator f, double a, double b, int n) {
        double h = (b - a) / n;
        double sum = f.applyAsDouble(a) + f.applyAsDouble(b);
        for (int i = 1; i < n; i++) {
            sum += f.applyAsDouble(a + i * h) * (i % 2 == 1 ? 4 : 2);
        }
        return sum * h / 3;
    }
}
