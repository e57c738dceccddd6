package org.civitas.federation.core.model;

import org.civitas.federation.core.aggregation.FitResult;
import org.civitas.federation.core.aggregation.LoraStacking;
import org.civitas.federation.core.aggregation.RoundContext;
import org.civitas.federation.core.data.SyntheticFeatureData;
import org.civitas.federation.core.tensor.NamedTensors;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

class LowRankSoftmaxTest {

    private final LowRankSoftmax model = new LowRankSoftmax(16, 5, 4);
    private final LabeledFeatures data = SyntheticFeatureData.generate(16, new double[] {1, 1, 1, 1, 1}, 400, 7);

    @Test
    void startsUniformAndTrainingLowersTheLoss() {
        NamedTensors global = model.initialState();
        assertThat(model.meanLoss(global, data)).isCloseTo(Math.log(5), within(1e-9));

        TrainingResult r = model.train(global, data, new TrainingConfig(3, 0.3, 32, 1));

        assertThat(model.meanLoss(global.plusScaled(r.delta(), 1f), data)).isLessThan(Math.log(5) - 0.2);
    }

    @Test
    void freezingAKeepsItsUpdateZero() {
        TrainingResult r = model.train(model.initialState(), data, new TrainingConfig(2, 0.3, 32, 1, 0, true, 0));
        for (float v : r.delta().get(LowRankSoftmax.A).values()) {
            assertThat(v).isZero();
        }
        assertThat(r.delta().get(LowRankSoftmax.B).values()).isNotEqualTo(new float[20]);
    }

    @Test
    void aLowerLocalRankSendsSmallerFactors() {
        TrainingResult r = model.train(model.initialState(), data, new TrainingConfig(1, 0.3, 32, 1, 0, false, 2));
        assertThat(r.delta().get(LowRankSoftmax.A).shape()).containsExactly(2, 16);
        assertThat(r.delta().get(LowRankSoftmax.B).shape()).containsExactly(5, 2);
        TrainingResult capped = model.train(model.initialState(), data, new TrainingConfig(1, 0.3, 32, 1, 0, false, 9));
        assertThat(capped.delta().get(LowRankSoftmax.A).shape()).containsExactly(4, 16);
    }

    @Test
    void stackingSitesOfMixedRanksLowersTheLossRoundAfterRound() {
        List<LabeledFeatures> sites = List.of(
                SyntheticFeatureData.generate(16, new double[] {5, 3, 1, 0.5, 0.5}, 300, 11),
                SyntheticFeatureData.generate(16, new double[] {0.5, 1, 5, 3, 0.5}, 200, 12),
                SyntheticFeatureData.generate(16, new double[] {1, 0.5, 0.5, 2, 5}, 400, 13));
        int[] ranks = {4, 2, 3};
        LoraStacking stacking = new LoraStacking();
        NamedTensors global = model.initialState();
        List<Double> losses = new ArrayList<>();
        for (int round = 1; round <= 4; round++) {
            List<FitResult> results = new ArrayList<>();
            double weighted = 0;
            for (int s = 0; s < sites.size(); s++) {
                TrainingResult r = model.train(global, sites.get(s), new TrainingConfig(2, 0.3, 32, round * 10L + s, 0, false, ranks[s]));
                stacking.validateUpdate(global, r.delta());
                results.add(new FitResult("s" + s, r.sampleCount(), r::delta));
                weighted += r.globalLoss() * r.sampleCount();
            }
            losses.add(weighted / 900);
            global = stacking.aggregateFit(new RoundContext(round, null), global, results).global();
        }
        for (int i = 1; i < losses.size(); i++) {
            assertThat(losses.get(i)).as("round %d: %s", i + 1, losses).isLessThan(losses.get(i - 1));
        }
    }
}
