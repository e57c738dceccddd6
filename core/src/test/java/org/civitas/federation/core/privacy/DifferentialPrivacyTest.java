package org.civitas.federation.core.privacy;

import org.civitas.federation.core.aggregation.AggregateResult;
import org.civitas.federation.core.aggregation.CoordinateMedian;
import org.civitas.federation.core.aggregation.FedAvg;
import org.civitas.federation.core.aggregation.FitResult;
import org.civitas.federation.core.aggregation.RoundContext;
import org.civitas.federation.core.data.SyntheticFeatureData;
import org.civitas.federation.core.model.SoftmaxRegression;
import org.civitas.federation.core.simulation.FederatedSimulation;
import org.civitas.federation.core.simulation.InMemoryParticipantGateway;
import org.civitas.federation.core.tensor.NamedTensors;
import org.civitas.federation.core.tensor.Tensor;
import org.junit.jupiter.api.Test;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

class DifferentialPrivacyTest {

    private static NamedTensors w(float... v) {
        return NamedTensors.builder().put("w", new Tensor(new int[] {v.length}, v)).build();
    }

    @Test
    void clipsEveryUpdateAndDividesByTheExpectedSites() {
        // [3, 4] (norm 5) clips to [0.6, 0.8]; [0.3, 0] stays; no noise; 4 expected sites
        DifferentialPrivacy dp = new DifferentialPrivacy(new FedAvg(), 1.0, 0.0, 4, false, new SplittableRandom(1));
        AggregateResult r = dp.aggregateFit(RoundContext.first(), w(1, 1),
                List.of(new FitResult("a", 1000, () -> w(3, 4)), new FitResult("b", 1, () -> w(0.3f, 0))));
        assertThat(r.global().get("w").values()).containsExactly(new float[] {1 + 0.9f / 4, 1 + 0.8f / 4}, within(1e-6f));
    }

    @Test
    void serverNoiseHasStandardDeviationSigmaTimesClipOverSites() {
        DifferentialPrivacy dp = new DifferentialPrivacy(new FedAvg(), 2.0, 1.5, 3, false, new SplittableRandom(7));
        NamedTensors zero = NamedTensors.builder().put("w", Tensor.zeros(200_000)).build();
        NamedTensors out = dp.aggregateFit(RoundContext.first(), zero, List.of(new FitResult("a", 1, () -> zero))).global();
        assertThat(std(out.get("w").values())).isCloseTo(1.5 * 2.0 / 3, within(0.01));
    }

    @Test
    void noiseSplitAcrossSitesAddsUpToTheFullNoise() {
        NamedTensors zero = NamedTensors.builder().put("w", Tensor.zeros(200_000)).build();
        NamedTensors sum = zero;
        for (int site = 0; site < 4; site++) {
            NamedTensors share = UpdatePrivacy.privatise(zero, 2.0, 1.5, 4);
            assertThat(std(share.get("w").values())).isCloseTo(1.5 * 2.0 / 2, within(0.01));
            sum = sum.plusScaled(share, 1f);
        }
        assertThat(std(sum.get("w").values())).isCloseTo(1.5 * 2.0, within(0.03));
        DifferentialPrivacy dp = new DifferentialPrivacy(new FedAvg(), 2.0, 1.5, 4, true);
        assertThat(dp.configureFit(1)).containsEntry(DifferentialPrivacy.CLIP_NORM, 2.0)
                .containsEntry(DifferentialPrivacy.SITE_NOISE_MULTIPLIER, 1.5).containsEntry(DifferentialPrivacy.NOISE_SHARES, 4.0);
    }

    @Test
    void refusesRulesThatNeedIndividualUpdates() {
        assertThatThrownBy(() -> new DifferentialPrivacy(new CoordinateMedian(), 1, 1, 3, false))
                .hasMessageContaining("differential privacy needs a mean-based rule; median needs individual updates");
        assertThatThrownBy(() -> new DifferentialPrivacy(new FedAvg(), 0, 1, 3, false)).hasMessageContaining("clipNorm must be positive");
    }

    @Test
    void theModelStillLearnsUnderModerateNoise() {
        SoftmaxRegression trainer = new SoftmaxRegression(16, 5);
        double[][] mixes = {{5, 3, 1, 0.5, 0.5}, {0.5, 1, 5, 3, 0.5}, {1, 0.5, 0.5, 2, 5}};
        Map<String, InMemoryParticipantGateway.Site> sites = new LinkedHashMap<>();
        for (int i = 0; i < 3; i++) {
            sites.put("s" + i, new InMemoryParticipantGateway.Site(SyntheticFeatureData.generate(16, mixes[i], 400, 50 + i), 1));
        }
        InMemoryParticipantGateway gateway = new InMemoryParticipantGateway(trainer, sites, 2, 0.1, 32);
        var dp = new DifferentialPrivacy(new FedAvg(), 1.0, 0.3, 3, false, new SplittableRandom(3));

        List<FederatedSimulation.RoundOutcome> rounds = FederatedSimulation.run(dp, gateway, trainer.initialState(), 8);

        assertThat(rounds.get(7).globalLoss()).isLessThan(rounds.get(0).globalLoss() - 0.3);
        double epsilon = new RdpAccountant().compose(1.0, 0.3, 8).epsilon(1e-5);
        assertThat(epsilon).isGreaterThan(10);
    }

    private static double std(float[] v) {
        double mean = 0;
        for (float x : v) {
            mean += x;
        }
        mean /= v.length;
        double var = 0;
        for (float x : v) {
            var += (x - mean) * (x - mean);
        }
        return Math.sqrt(var / v.length);
    }
}
