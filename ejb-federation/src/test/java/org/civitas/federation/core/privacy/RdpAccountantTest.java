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
        assertThatThrownBy(() -> RdpAccountant.sampledGaussian(0.5, 1, 2.5)).hasMessageContaining("only integer orders");
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
