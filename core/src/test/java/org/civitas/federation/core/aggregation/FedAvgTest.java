package org.civitas.federation.core.aggregation;

import org.civitas.federation.core.tensor.NamedTensors;
import org.civitas.federation.core.tensor.Tensor;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

class FedAvgTest {

    private final FedAvg fedAvg = new FedAvg();

    private static NamedTensors state(float... values) {
        return NamedTensors.builder().put("w", new Tensor(new int[] {values.length}, values)).build();
    }

    @Test
    void addsTheSampleWeightedMeanOfTheUpdatesToTheGlobalState() {
        NamedTensors global = state(1, 1, 1);
        List<FitResult> results = List.of(
                new FitResult("a", 100, () -> state(1, 0, -1)),
                new FitResult("b", 300, () -> state(-1, 2, 3)));

        NamedTensors next = fedAvg.aggregateFit(RoundContext.first(), global, results).global();

        // (100 * u_a + 300 * u_b) / 400 = (-0.5, 1.5, 2)
        assertThat(next.get("w").values()).containsExactly(new float[] {0.5f, 2.5f, 3f}, within(1e-6f));
        assertThat(global.get("w").values()).containsExactly(1, 1, 1);
    }

    @Test
    void hugeFiniteUpdatesCannotOverflowTheMean() {
        // A float sum of these is +Inf (3e38 x 1e9 samples, or simply 3e38 + 3e38); their weighted mean is not.
        NamedTensors global = state(0, 0);
        List<FitResult> results = List.of(
                new FitResult("liar", 1_000_000_000L, () -> state(3e38f, -3e38f)),
                new FitResult("twin", 1_000_000_000L, () -> state(3e38f, -3e38f)),
                new FitResult("honest", 300, () -> state(1, 1)));

        NamedTensors next = fedAvg.aggregateFit(RoundContext.first(), global, results).global();

        assertThat(next.get("w").firstNonFiniteIndex()).isEqualTo(-1);
        assertThat((double) next.get("w").values()[0]).isCloseTo(3e38, within(1e33));
        // the same in groups larger than one tiled pass and one update at a time
        WeightedSum one = new WeightedSum(global);
        for (int k = 0; k < 20; k++) {
            one.add(state(3.4e38f, 3.4e38f), 1e9);
        }
        assertThat(one.mean().get("w").values()).containsExactly(new float[] {3.4e38f, 3.4e38f}, within(1e33f));
    }

    @Test
    void theRunningMeanEqualsTheMeanOfAllUpdatesAddedInAnyGrouping() {
        java.util.SplittableRandom random = new java.util.SplittableRandom(8);
        List<NamedTensors> updates = new ArrayList<>();
        double[] weights = new double[13];
        double[] expected = new double[3];
        double total = 0;
        for (int k = 0; k < weights.length; k++) {
            float[] v = {(float) random.nextDouble(-5, 5), (float) random.nextDouble(-5, 5), (float) random.nextDouble(-5, 5)};
            updates.add(state(v));
            weights[k] = 1 + random.nextInt(500);
            total += weights[k];
            for (int i = 0; i < 3; i++) {
                expected[i] += weights[k] * v[i];
            }
        }
        WeightedSum grouped = new WeightedSum(state(0, 0, 0));
        grouped.addAll(updates.subList(0, 5), java.util.Arrays.copyOfRange(weights, 0, 5));
        grouped.addAll(updates.subList(5, 13), java.util.Arrays.copyOfRange(weights, 5, 13));
        WeightedSum single = new WeightedSum(state(0, 0, 0));
        for (int k = 0; k < weights.length; k++) {
            single.add(updates.get(k), weights[k]);
        }
        for (int i = 0; i < 3; i++) {
            assertThat((double) grouped.mean().get("w").values()[i]).isCloseTo(expected[i] / total, within(1e-5));
            assertThat((double) single.mean().get("w").values()[i]).isCloseTo(expected[i] / total, within(1e-5));
        }
        assertThat(grouped.totalWeight()).isEqualTo(total);
        assertThat(grouped.count()).isEqualTo(13);
    }

    @Test
    void addingSeveralAtOnceDoesTheFloatOperationsOfAddingThemInTheirOrder() {
        // Four updates go through the tile in one pass, the rest one by one: the result must be the same floats.
        java.util.SplittableRandom random = new java.util.SplittableRandom(11);
        float[] prior = {(float) random.nextDouble(-5, 5), (float) random.nextDouble(-5, 5), (float) random.nextDouble(-5, 5)};
        WeightedSum sum = new WeightedSum(state(0, 0, 0));
        sum.add(state(prior), 3);
        List<NamedTensors> updates = new ArrayList<>();
        double[] weights = new double[7];
        for (int k = 0; k < weights.length; k++) {
            updates.add(state((float) random.nextDouble(-5, 5), (float) random.nextDouble(-5, 5), (float) random.nextDouble(-5, 5)));
            weights[k] = 1 + random.nextInt(50);
        }

        sum.addAll(updates, weights);

        double total = 3 + java.util.Arrays.stream(weights).sum();
        for (int i = 0; i < 3; i++) {
            float expected = prior[i] * (float) (3 / total);
            for (int k = 0; k < weights.length; k++) {
                expected = expected + (float) (weights[k] / total) * updates.get(k).get("w").values()[i];
            }
            assertThat(sum.mean().get("w").values()[i]).isEqualTo(expected);
        }
    }

    @Test
    void addingTheLastGroupInTheResultPassGivesTheFloatsOfSummingFirst() {
        // 13 and 16 updates: groups of 8 and 5, and of 8 and 8 (the last group is full)
        for (int sites : new int[] {1, 8, 13, 16}) {
            java.util.SplittableRandom random = new java.util.SplittableRandom(sites);
            NamedTensors global = state((float) random.nextDouble(-1, 1), (float) random.nextDouble(-1, 1), (float) random.nextDouble(-1, 1));
            List<FitResult> results = new ArrayList<>();
            for (int k = 0; k < sites; k++) {
                NamedTensors u = state((float) random.nextDouble(-5, 5), (float) random.nextDouble(-5, 5), (float) random.nextDouble(-5, 5));
                results.add(new FitResult("s" + k, 1 + random.nextInt(500), () -> u));
            }
            float[] before = global.get("w").values().clone();

            NamedTensors fused = Updates.streamingMeanAddedTo(1, global, results, FitResult::sampleCount, 0.5f);
            NamedTensors summedFirst = Updates.streamingSum(1, global, results, FitResult::sampleCount).addMeanTo(global, 0.5f);

            assertThat(fused.get("w").values()).as("%d sites", sites).containsExactly(summedFirst.get("w").values());
            assertThat(global.get("w").values()).containsExactly(before);
        }
    }

    @Test
    void aSumSpentOnAResultRefusesMore() {
        WeightedSum sum = new WeightedSum(state(0, 0));
        sum.add(state(1, 2), 1);
        NamedTensors result = sum.addAllAndMeanTo(List.of(state(3, 4)), new double[] {1}, state(10, 10), 1f);

        assertThat(result.get("w").values()).containsExactly(12f, 13f);
        assertThatThrownBy(() -> sum.add(state(1, 1), 1)).hasMessage("this sum was spent on a result");
        assertThatThrownBy(sum::mean).hasMessage("this sum was spent on a result");
        assertThat(result.get("w").values()).containsExactly(12f, 13f);
        assertThatThrownBy(() -> new WeightedSum(state(0)).addAllAndMeanTo(List.of(), new double[0], state(0), 1f))
                .hasMessage("no update was added");
    }

    @Test
    void loadsEachUpdateOnceAndInOrder() {
        AtomicInteger loads = new AtomicInteger();
        List<String> order = new ArrayList<>();
        List<FitResult> results = new ArrayList<>();
        for (String site : List.of("a", "b", "c")) {
            results.add(new FitResult(site, 1, () -> {
                loads.incrementAndGet();
                order.add(site);
                return state(3);
            }));
        }

        NamedTensors next = fedAvg.aggregateFit(RoundContext.first(), state(0), results).global();

        assertThat(loads).hasValue(3);
        assertThat(order).containsExactly("a", "b", "c");
        assertThat(next.get("w").values()).containsExactly(3f);
    }

    @Test
    void refusesAnEmptyRoundAndMismatchedUpdates() {
        assertThatThrownBy(() -> fedAvg.aggregateFit(new RoundContext(4, null), state(0), List.of())).hasMessage("round 4 has no update to aggregate");
        assertThatThrownBy(() -> fedAvg.aggregateFit(RoundContext.first(), state(0, 0), List.of(new FitResult("a", 1, () -> state(1)))))
                .hasMessageContaining("tensor 'w' has shape [1], expected [2]");
    }

    @Test
    void evaluationIsTheSampleWeightedMeanLoss() {
        double loss = fedAvg.aggregateEvaluate(1, List.of(new EvaluationResult("a", 1, 1.0), new EvaluationResult("b", 3, 2.0)));
        assertThat(loss).isEqualTo(1.75);
    }

    @Test
    void fitResultsNeedSamples() {
        assertThatThrownBy(() -> new FitResult("a", 0, () -> state(1))).hasMessageContaining("at least 1");
        assertThatThrownBy(() -> new FitResult("a", 1, -1, () -> state(1))).hasMessageContaining("negative staleness");
    }
}
