package org.civitas.federation.core.aggregation;

import org.civitas.federation.core.tensor.NamedTensors;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;
import static org.civitas.federation.core.aggregation.TestTensors.fit;
import static org.civitas.federation.core.aggregation.TestTensors.w;

/** FedAvgM and the FedOpt family over two rounds, with the server state carried between them. */
class ServerOptimizerTest {

    @Test
    void fedAvgMAccumulatesVelocityAcrossRounds() {
        FedAvgM strategy = new FedAvgM(1.0, 0.5);
        // Round 1: mean of (100 x [1, 0], 300 x [-1, 2]) = [-0.5, 1.5]; v = d; x = [1, 1] + v
        AggregateResult r1 = strategy.aggregateFit(RoundContext.first(), w(1, 1),
                List.of(fit("a", 100, 1, 0), fit("b", 300, -1, 2)));
        assertThat(r1.global().get("w").values()).containsExactly(new float[] {0.5f, 2.5f}, within(1e-6f));
        assertThat(r1.serverState().get("momentum/w").values()).containsExactly(new float[] {-0.5f, 1.5f}, within(1e-6f));

        // Round 2: d = [2, 2]; v = 0.5 x [-0.5, 1.5] + [2, 2] = [1.75, 2.75]; x = [0.5, 2.5] + v
        AggregateResult r2 = strategy.aggregateFit(new RoundContext(2, r1.serverState()), r1.global(), List.of(fit("a", 1, 2, 2)));
        assertThat(r2.global().get("w").values()).containsExactly(new float[] {2.25f, 5.25f}, within(1e-6f));
        assertThat(r2.serverState().get("momentum/w").values()).containsExactly(new float[] {1.75f, 2.75f}, within(1e-6f));
    }

    @Test
    void fedAdamWithoutBiasCorrectionFollowsReddiAlgorithmTwo() {
        // m = 0.1 d = [0.2, -0.1], v = 0.01 d^2 = [0.04, 0.01]; x = 0.1 m / (sqrt v + 0.01)
        // round 2: m = [0.38, -0.19], v = [0.0796, 0.0199]
        twoRounds(FedOpt.adam(0.1, 0.9, 0.99, 0.01, false),
                new double[] {0.0952380952, -0.0909090909}, new double[] {0.2253150681, -0.2166807998},
                new double[] {0.38, -0.19}, new double[] {0.0796, 0.0199});
    }

    @Test
    void fedAdamByDefaultCorrectsBiasAsFlowerDoes() {
        // Flower's FedAdam: the same m and v, stepped by eta * sqrt(1 - b2^(r+1)) / (1 - b1^(r+1)).
        // Expected values from a separate float64 re-computation of Flower's update rule:
        // round 1 steps by 0.0742459788, round 2 by 0.0635940150. The catalogue's tau of 1e-9 makes the
        // first step m / sqrt(v) = 1 times that step size.
        twoRounds(FedOpt.adam(0.1, 0.9, 0.99, 0.01),
                new double[] {0.0707104560, -0.0674963444}, new double[] {0.1534316257, -0.1474796238},
                new double[] {0.38, -0.19}, new double[] {0.0796, 0.0199});
        assertThat(StrategyCatalog.create("fedadam", java.util.Map.of(), java.util.Map.of()).aggregateFit(RoundContext.first(),
                w(0, 0), List.of(fit("a", 5, 2, -1))).global().get("w").values()[0]).isCloseTo(0.0742459788f, within(1e-6f));
        assertThat(StrategyCatalog.create("fedadam", java.util.Map.of("biasCorrection", 0.0), java.util.Map.of()).aggregateFit(
                RoundContext.first(), w(0, 0), List.of(fit("a", 5, 2, -1))).global().get("w").values()[0])
                .isCloseTo(0.1f, within(1e-6f));
    }

    @Test
    void biasCorrectionCountsRoundsAsFlowerDoes() {
        FedOpt adam = FedOpt.adam(0.1, 0.9, 0.99, 1e-9);
        // t = r + 1: round 1 uses t = 2, round 10 uses t = 11
        assertThat(adam.stepSize(1)).isCloseTo(0.1 * Math.sqrt(1 - 0.99 * 0.99) / (1 - 0.9 * 0.9), within(1e-15));
        assertThat(adam.stepSize(10)).isCloseTo(0.1 * Math.sqrt(1 - Math.pow(0.99, 11)) / (1 - Math.pow(0.9, 11)), within(1e-15));
        assertThat(FedOpt.adam(0.1, 0.9, 0.99, 1e-9, false).stepSize(1)).isEqualTo(0.1);
        assertThatThrownBy(() -> new FedOpt(FedOpt.Variant.YOGI, 0.1, 0.9, 0.99, 1e-3, true))
                .hasMessage("FedYogi has no bias correction; only FedAdam has");
    }

    @Test
    void fedYogiGrowsTheSecondMomentAdditively() {
        // Yogi: v <- v - (1 - b2) d^2 sign(v - d^2): with v < d^2 it adds 0.01 d^2 each round
        twoRounds(FedOpt.yogi(0.1, 0.9, 0.99, 0.01),
                new double[] {0.0952380952, -0.0909090909}, new double[] {0.2250005868, -0.2163867677},
                new double[] {0.38, -0.19}, new double[] {0.08, 0.02});
    }

    @Test
    void fedAdagradSumsSquaredUpdates() {
        // beta1 = 0: m = d; v = [4, 1] then [8, 2]
        twoRounds(FedOpt.adagrad(0.1, 0.0, 0.01),
                new double[] {0.0995024876, -0.0990099010}, new double[] {0.1699640465, -0.1692240898},
                new double[] {2, -1}, new double[] {8, 2});
    }

    private static void twoRounds(Strategy strategy, double[] x1, double[] x2, double[] m2, double[] v2) {
        AggregateResult r1 = strategy.aggregateFit(RoundContext.first(), w(0, 0), List.of(fit("a", 5, 2, -1)));
        assertClose(r1.global(), "w", x1);
        AggregateResult r2 = strategy.aggregateFit(new RoundContext(2, r1.serverState()), r1.global(),
                List.of(fit("a", 1, 2, -1), fit("b", 7, 2, -1)));
        assertClose(r2.global(), "w", x2);
        assertClose(r2.serverState(), "m/w", m2);
        assertClose(r2.serverState(), "v/w", v2);
    }

    private static void assertClose(NamedTensors t, String name, double[] expected) {
        float[] actual = t.get(name).values();
        assertThat(actual).hasSize(expected.length);
        for (int i = 0; i < expected.length; i++) {
            assertThat((double) actual[i]).as("%s[%d]", name, i).isCloseTo(expected[i], within(1e-6));
        }
    }

    @Test
    void startsFromZeroMomentsWhenTheStateDoesNotFit() {
        AggregateResult r = FedOpt.adam(0.1, 0.9, 0.99, 0.01, false)
                .aggregateFit(new RoundContext(3, w(9, 9, 9)), w(0, 0), List.of(fit("a", 1, 2, -1)));
        assertThat((double) r.global().get("w").values()[0]).isCloseTo(0.0952380952, within(1e-6));
    }

    @Test
    void validatesParameters() {
        assertThatThrownBy(() -> FedOpt.adam(0, 0.9, 0.99, 1e-3)).hasMessage("FedAdam eta must be in (0, 100], was 0");
        assertThatThrownBy(() -> FedOpt.yogi(0.1, 1.0, 0.99, 1e-3)).hasMessage("FedYogi beta1 must be in [0, 1), was 1");
        assertThatThrownBy(() -> FedOpt.adagrad(0.1, 0, -1)).hasMessage("FedAdagrad tau must be in (0, 10], was -1");
        assertThatThrownBy(() -> new FedAvgM(1, 1.5)).hasMessage("FedAvgM momentum must be in [0, 1), was 1.5");
        assertThatThrownBy(() -> new FedAvgM(1, 1)).hasMessage("FedAvgM momentum must be in [0, 1), was 1");
        assertThatThrownBy(() -> new FedAvgM(0, 0.9)).hasMessage("FedAvgM serverLearningRate must be in (0, 100], was 0");
        assertThatThrownBy(() -> new FedProx(-0.1)).hasMessage("FedProx mu must be in [0, 1000], was -0.1");
    }

    @Test
    void fedProxSendsMuAndAggregatesAsFedAvg() {
        FedProx prox = new FedProx(0.25);
        assertThat(prox.configureFit(1)).containsEntry(FedProx.PROXIMAL_MU, 0.25);
        AggregateResult r = prox.aggregateFit(RoundContext.first(), w(1), List.of(fit("a", 1, 2), fit("b", 3, 6)));
        assertThat(r.global().get("w").values()).containsExactly(6f);
    }
}
