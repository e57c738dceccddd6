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
