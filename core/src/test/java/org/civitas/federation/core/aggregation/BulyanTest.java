package org.civitas.federation.core.aggregation;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;
import static org.civitas.federation.core.aggregation.TestTensors.fit;
import static org.civitas.federation.core.aggregation.TestTensors.w;

/** Bulyan: repeated Krum, then the mean of the values nearest the median, coordinate by coordinate. */
class BulyanTest {

    @Test
    void picksByRepeatedKrumAndAveragesAroundTheMedian() {
        // n = 7, f = 1: theta = 5 picked by Krum, beta = 3 values nearest the median averaged.
        // Honest updates spread around 0; the Byzantine ones far out in opposite directions.
        List<FitResult> results = List.of(fit("h1", 1, -2, 1), fit("h2", 1, -1, 0), fit("h3", 1, 0, 0),
                fit("h4", 1, 1, 0), fit("h5", 1, 2, -1), fit("byz1", 1000, 90, 90), fit("byz2", 1, -80, -80));

        AggregateResult r = new Bulyan(1).aggregateFit(RoundContext.first(), w(10, 10), results);

        // Krum passes pick h3, h2, h4, h1; the last pass (h5, byz1, byz2 left, one neighbour each) ties
        // h5 and byz2 at the same distance and takes byz2 by name: up to f Byzantine updates may be picked.
        assertThat(Bulyan.select(Updates.loadAll(w(0, 0), results), 1)).containsExactly(2, 1, 3, 0, 6);
        assertThat(r.excluded()).extracting(AggregateResult.ExcludedUpdate::site).containsExactly("h5", "byz1");
        assertThat(r.excluded().get(0).reason()).contains("Krum picked 5 of 7 updates with f = 1");
        // the fusion bounds it: coordinate 0 of the picked [-80, -2, -1, 0, 1] -> the 3 nearest the median -1: -2, -1, 0
        // -> -1; coordinate 1 [-80, 0, 0, 0, 1] -> 0, 0, 0 -> 0
        assertThat(r.global().get("w").values()).containsExactly(new float[] {9f, 10f}, within(1e-6f));
    }

    @Test
    void oneByzantineSiteMovesNoCoordinateBeyondTheHonestSpread() {
        java.util.SplittableRandom random = new java.util.SplittableRandom(3);
        for (int trial = 0; trial < 50; trial++) {
            List<FitResult> results = new ArrayList<>();
            float lo = Float.MAX_VALUE;
            float hi = -Float.MAX_VALUE;
            for (int k = 0; k < 6; k++) {
                float v = (float) random.nextDouble(-1, 1);
                lo = Math.min(lo, v);
                hi = Math.max(hi, v);
                results.add(fit("h" + k, 1, v));
            }
            results.add(fit("byz", 1, (float) random.nextDouble(-1e6, 1e6)));
            float aggregate = new Bulyan(1).aggregateFit(RoundContext.first(), w(0), results).global().get("w").values()[0];
            assertThat(aggregate).isBetween(lo, hi);
        }
    }

    @Test
    void meanAroundTheMedianTakesTheBetaNearestValues() {
        assertThat(Bulyan.meanAroundMedian(new float[] {100, 1, 2, 3, -50}, 3)).isEqualTo(2f);
        assertThat(Bulyan.meanAroundMedian(new float[] {0, 10, 11, 12}, 2)).isEqualTo(10.5f);
        assertThat(Bulyan.meanAroundMedian(new float[] {5, 1}, 2)).isEqualTo(3f);
    }

    @Test
    void needsFourFPlusThreeUpdatesAndSaysSo() {
        assertThat(new Bulyan(2).minimumUpdates()).isEqualTo(11);
        assertThat(StrategyCatalog.create("bulyan", Map.of("byzantine", 1.0), Map.of()).minimumUpdates()).isEqualTo(7);
        List<FitResult> six = new ArrayList<>();
        for (int k = 0; k < 6; k++) {
            six.add(fit("s" + k, 1, k));
        }
        assertThatThrownBy(() -> new Bulyan(1).aggregateFit(RoundContext.first(), w(0), six))
                .hasMessage("Bulyan with f = 1 needs at least 7 updates, round 1 has 6");
    }

    @Test
    void withNoByzantineSiteItIsTheUnweightedMean() {
        AggregateResult r = new Bulyan(0).aggregateFit(RoundContext.first(), w(0),
                List.of(fit("a", 1, 1), fit("b", 100, 2), fit("c", 1, 6)));
        assertThat(r.global().get("w").values()).containsExactly(3f);
        assertThat(r.excluded()).isEmpty();
    }
}
