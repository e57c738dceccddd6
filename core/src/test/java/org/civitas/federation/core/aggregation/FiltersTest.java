package org.civitas.federation.core.aggregation;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.civitas.federation.core.aggregation.TestTensors.fit;
import static org.civitas.federation.core.aggregation.TestTensors.w;

class FiltersTest {

    @Test
    void normBoundLeavesOutOversizedUpdatesAndSaysWhy() {
        Strategy s = new NormBoundFilter(new FedAvg(), 5);
        AggregateResult r = s.aggregateFit(RoundContext.first(), w(0, 0),
                List.of(fit("ok", 1, 3, 4), fit("boosted", 1, 60, 80), fit("small", 1, 1, 0)));

        assertThat(r.global().get("w").values()).containsExactly(2f, 2f);
        assertThat(r.excluded()).containsExactly(new AggregateResult.ExcludedUpdate("boosted", "update norm 100.000 exceeds the bound 5.00000"));
    }

    @Test
    void normBoundLoadsEachUpdateOnce() {
        AtomicInteger loads = new AtomicInteger();
        List<FitResult> results = List.of(
                new FitResult("a", 1, () -> { loads.incrementAndGet(); return w(1); }),
                new FitResult("b", 1, () -> { loads.incrementAndGet(); return w(3); }));
        new NormBoundFilter(new FedAvg(), 10).aggregateFit(RoundContext.first(), w(0), results);
        assertThat(loads).hasValue(2);
    }

    @Test
    void whenEverythingIsFilteredTheErrorNamesWhatWasLeftOut() {
        assertThatThrownBy(() -> new NormBoundFilter(new FedAvg(), 1).aggregateFit(RoundContext.first(), w(0), List.of(fit("big", 1, 9))))
                .hasMessageContaining("has no update to aggregate after excluding")
                .hasMessageContaining("big");
    }

    @Test
    void cosineFilterDropsUpdatesPointingAwayFromTheMedian() {
        Strategy s = new CosineFilter(new FedAvg(), 0.0);
        AggregateResult r = s.aggregateFit(RoundContext.first(), w(0, 0),
                List.of(fit("a", 1, 1, 0), fit("b", 1, 1, 0.2f), fit("flipped", 1, -10, 0)));

        assertThat(r.global().get("w").values()).containsExactly(1f, 0.1f);
        assertThat(r.excluded()).singleElement().satisfies(e -> {
            assertThat(e.site()).isEqualTo("flipped");
            assertThat(e.reason()).isEqualTo("cosine similarity -1.0000 to the round's median update is below 0.0000");
        });
    }

    @Test
    void wrappersKeepTheInnerRulesNameStateAndNeeds() {
        Strategy wrapped = new CosineFilter(new NormBoundFilter(FedOpt.adam(0.1, 0.9, 0.99, 1e-3), 10), 0.5);
        assertThat(wrapped.name()).isEqualTo("fedadam");
        AggregateResult r = wrapped.aggregateFit(RoundContext.first(), w(0), List.of(fit("a", 1, 1)));
        assertThat(r.serverState().names()).containsExactly("m/w", "v/w");
        assertThat(new NormBoundFilter(new Krum(1, 1), 3).minimumUpdates()).isEqualTo(5);
        assertThat(new CosineFilter(new FedBuff(4, 1), 0).roundQuorum()).hasValue(4);
    }
}
