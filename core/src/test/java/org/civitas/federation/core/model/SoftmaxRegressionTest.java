package org.civitas.federation.core.model;

import org.civitas.federation.core.aggregation.FedAvg;
import org.civitas.federation.core.aggregation.FitResult;
import org.civitas.federation.core.aggregation.RoundContext;
import org.civitas.federation.core.data.SyntheticFeatureData;
import org.civitas.federation.core.tensor.NamedTensors;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

class SoftmaxRegressionTest {

    private final SoftmaxRegression model = new SoftmaxRegression(16, 5);
    private final LabeledFeatures data = SyntheticFeatureData.generate(16, new double[] {1, 1, 1, 1, 1}, 400, 7);

    @Test
    void theInitialStateIsUniformOverClasses() {
        assertThat(model.meanLoss(model.initialState(), data)).isCloseTo(Math.log(5), within(1e-9));
    }

    @Test
    void trainingLowersTheLossAndTheDeltaTakesTheGlobalStateThere() {
        NamedTensors global = model.initialState();
        TrainingResult result = model.train(global, data, new TrainingConfig(3, 0.1, 32, 1));

        NamedTensors trained = global.plusScaled(result.delta(), 1f);
        assertThat(result.sampleCount()).isEqualTo(400);
        assertThat(result.globalLoss()).isCloseTo(Math.log(5), within(1e-9));
        assertThat(model.meanLoss(trained, data)).isLessThan(result.globalLoss() * 0.7);
        assertThat(model.accuracy(trained, data)).isGreaterThan(0.5);
        assertThat(global).isEqualTo(model.initialState());
    }

    @Test
    void sameSeedSameUpdate() {
        TrainingConfig config = new TrainingConfig(1, 0.1, 16, 99);
        assertThat(model.train(model.initialState(), data, config).delta())
                .isEqualTo(model.train(model.initialState(), data, config).delta());
    }

    @Test
    void gradientMatchesFiniteDifferences() {
        // One full-batch SGD step of size lr moves each weight by -lr * dLoss/dw.
        LabeledFeatures small = SyntheticFeatureData.generate(16, new double[] {1, 2, 1, 1, 1}, 20, 3);
        NamedTensors start = model.train(model.initialState(), small, new TrainingConfig(1, 0.5, 20, 1)).delta();
        double lr = 1e-3;
        NamedTensors delta = model.train(start, small, new TrainingConfig(1, lr, 20, 1)).delta();
        float[] w = start.get(SoftmaxRegression.WEIGHT).values();
        for (int i : new int[] {0, 17, 42, 79}) {
            NamedTensors plus = start.copy();
            NamedTensors minus = start.copy();
            float h = 1e-2f;
            plus.get(SoftmaxRegression.WEIGHT).values()[i] = w[i] + h;
            minus.get(SoftmaxRegression.WEIGHT).values()[i] = w[i] - h;
            double numeric = (model.meanLoss(plus, small) - model.meanLoss(minus, small)) / (2 * h);
            double analytic = -delta.get(SoftmaxRegression.WEIGHT).values()[i] / lr;
            assertThat(analytic).as("weight %d", i).isCloseTo(numeric, within(2e-3 + 0.02 * Math.abs(numeric)));
        }
    }

    @Test
    void federatedAveragingOfNonIidSitesApproachesCentralisedTraining() {
        List<LabeledFeatures> sites = List.of(
                SyntheticFeatureData.generate(16, new double[] {5, 3, 1, 0.5, 0.5}, 300, 11),
                SyntheticFeatureData.generate(16, new double[] {0.5, 1, 5, 3, 0.5}, 200, 12),
                SyntheticFeatureData.generate(16, new double[] {1, 0.5, 0.5, 2, 5}, 400, 13));
        FedAvg fedAvg = new FedAvg();
        NamedTensors global = model.initialState();
        List<Double> losses = new ArrayList<>();
        for (int round = 1; round <= 5; round++) {
            List<FitResult> results = new ArrayList<>();
            double weighted = 0;
            for (int s = 0; s < sites.size(); s++) {
                TrainingResult r = model.train(global, sites.get(s), new TrainingConfig(1, 0.1, 32, round * 10L + s));
                results.add(new FitResult("s" + s, r.sampleCount(), r::delta));
                weighted += r.globalLoss() * r.sampleCount();
            }
            losses.add(weighted / 900);
            global = fedAvg.aggregateFit(new RoundContext(round, null), global, results).global();
        }
        for (int i = 1; i < losses.size(); i++) {
            assertThat(losses.get(i)).isLessThan(losses.get(i - 1));
        }
    }

    @Test
    void theProximalTermPullsLocalTrainingTowardsTheGlobalState() {
        NamedTensors global = model.initialState();
        double free = org.civitas.federation.core.aggregation.Updates.norm(
                model.train(global, data, new TrainingConfig(3, 0.1, 32, 1, 0)).delta());
        double proximal = org.civitas.federation.core.aggregation.Updates.norm(
                model.train(global, data, new TrainingConfig(3, 0.1, 32, 1, 1.0)).delta());
        assertThat(proximal).isLessThan(free * 0.8);
        assertThatThrownBy(() -> new TrainingConfig(1, 0.1, 1, 1, -1)).hasMessageContaining("proximalMu");
    }

    @Test
    void refusesDataOfAnotherShape() {
        LabeledFeatures other = SyntheticFeatureData.generate(8, new double[] {1, 1}, 10, 1);
        assertThatThrownBy(() -> model.train(model.initialState(), other, new TrainingConfig(1, 0.1, 4, 1)))
                .hasMessageContaining("data has 8 features and 2 classes; the model expects 16 and 5");
    }
}
