package org.civitas.federation.core.aggregation;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;
import static org.civitas.federation.core.aggregation.TestTensors.fit;
import static org.civitas.federation.core.aggregation.TestTensors.fits;
import static org.civitas.federation.core.aggregation.TestTensors.w;

/** Median, trimmed mean and (Multi-)Krum on small hand-checked cases, including Byzantine outliers. */
class RobustRulesTest {

    @Test
    void medianOfAnOddAndAnEvenCount() {
        CoordinateMedian median = new CoordinateMedian();
        AggregateResult odd = median.aggregateFit(RoundContext.first(), w(0, 0), fits(new float[] {1, 7}, new float[] {5, -2}, new float[] {100, 3}));
        assertThat(odd.global().get("w").values()).containsExactly(5f, 3f);

        // even: the mean of the two middle values; [1, 2, 3, 100] -> 2.5 and [10, -1, 0, 4] -> 2
        AggregateResult even = median.aggregateFit(RoundContext.first(), w(1, 1),
                fits(new float[] {1, 10}, new float[] {2, -1}, new float[] {3, 0}, new float[] {100, 4}));
        assertThat(even.global().get("w").values()).containsExactly(3.5f, 3f);
    }

    @Test
    void quickselectMedianAgreesWithSortingOnRandomColumns() {
        java.util.SplittableRandom random = new java.util.SplittableRandom(5);
        for (int trial = 0; trial < 2000; trial++) {
            float[] values = new float[1 + random.nextInt(60)];
            for (int i = 0; i < values.length; i++) {
                values[i] = random.nextInt(7) - 3 + (random.nextBoolean() ? 0.5f : 0f);
            }
            float[] sorted = values.clone();
            java.util.Arrays.sort(sorted);
            int n = sorted.length;
            float expected = n % 2 == 1 ? sorted[n / 2] : (float) (((double) sorted[n / 2 - 1] + sorted[n / 2]) / 2);
            assertThat(CoordinateMedian.median(values)).as(java.util.Arrays.toString(sorted)).isEqualTo(expected);
        }
    }

    @Test
    void medianIgnoresSampleCountsAndBoundsAHugeOutlier() {
        AggregateResult r = new CoordinateMedian().aggregateFit(RoundContext.first(), w(0),
                List.of(fit("a", 1, 1), fit("b", 1, 2), fit("liar", 1_000_000, 1e30f)));
        assertThat(r.global().get("w").values()).containsExactly(2f);
    }

    @Test
    void trimmedMeanDropsTheExtremesOfEachCoordinate() {
        // beta 0.2 of 5 sites trims one from each end: [1, 2, 3, 4, 1000] -> mean(2, 3, 4) = 3
        TrimmedMean trimmed = new TrimmedMean(0.2);
        AggregateResult r = trimmed.aggregateFit(RoundContext.first(), w(0, 0),
                fits(new float[] {1, -1}, new float[] {2, 0}, new float[] {3, 1}, new float[] {4, 2}, new float[] {1000, -1e9f}));
        assertThat(r.global().get("w").values()).containsExactly(new float[] {3f, 0f}, within(1e-6f));

        // beta 0.1 of 5 sites trims nothing: the plain mean
        AggregateResult plain = new TrimmedMean(0.1).aggregateFit(RoundContext.first(), w(0),
                fits(new float[] {1}, new float[] {2}, new float[] {3}, new float[] {4}, new float[] {10}));
        assertThat(plain.global().get("w").values()).containsExactly(4f);
        assertThatThrownBy(() -> new TrimmedMean(0.51)).hasMessage("TrimmedMean beta must be in [0, 0.5], was 0.51");
    }

    @Test
    void trimmedMeanAtOneHalfIsTheMedian() {
        TrimmedMean half = new TrimmedMean(0.5);
        java.util.SplittableRandom random = new java.util.SplittableRandom(11);
        for (int n = 1; n <= 9; n++) {
            float[][] updates = new float[n][];
            for (int k = 0; k < n; k++) {
                updates[k] = new float[] {(float) random.nextInt(-50, 50), (float) random.nextInt(-50, 50)};
            }
            AggregateResult trimmed = half.aggregateFit(RoundContext.first(), w(0, 0), fits(updates));
            AggregateResult median = new CoordinateMedian().aggregateFit(RoundContext.first(), w(0, 0), fits(updates));
            assertThat(trimmed.global().get("w").values()).as("n = %d", n).containsExactly(median.global().get("w").values());
        }
        assertThat(TrimmedMean.trimmed(0.5, 5)).isEqualTo(2);
        assertThat(TrimmedMean.trimmed(0.5, 4)).isEqualTo(1);
        assertThat(TrimmedMean.trimmed(0.2, 5)).isEqualTo(1);
    }

    @Test
    void krumBreaksTiesBySiteCodeWhateverTheArrivalOrder() {
        // b and a are mirror images around c and d: equal scores; "a" sorts first and is kept beside c and d
        List<FitResult> forwards = List.of(fit("b", 1, -1), fit("a", 1, 1), fit("c", 1, 0.1f), fit("d", 1, -0.1f), fit("e", 1, 50));
        List<FitResult> backwards = new java.util.ArrayList<>(forwards);
        java.util.Collections.reverse(backwards);
        for (List<FitResult> order : List.of(forwards, backwards)) {
            AggregateResult krum = new Krum(1, 3).aggregateFit(RoundContext.first(), w(0), order);
            assertThat(krum.excluded()).extracting(AggregateResult.ExcludedUpdate::site).containsExactly("b", "e");
        }
    }

    @Test
    void krumPicksAnHonestUpdateAndReportsTheOthers() {
        // squared distances with f = 1 (2 nearest neighbours): s0 -> 1 + 4 = 5, s1 -> 2, s2 -> 2, s3 -> 5, byz -> 9409 + 9604
        List<FitResult> results = List.of(fit("s0", 1, 0), fit("s1", 1, 1), fit("s2", 1, 2), fit("s3", 1, 3), fit("byz", 1, 100));

        AggregateResult krum = new Krum(1, 1).aggregateFit(RoundContext.first(), w(10), results);

        assertThat(krum.global().get("w").values()).containsExactly(11f);
        assertThat(krum.excluded()).extracting(AggregateResult.ExcludedUpdate::site).containsExactly("s2", "s0", "s3", "byz");
        assertThat(krum.excluded().get(3).reason()).contains("not selected by krum: score 19013.0 ranks 5 of 5");
        assertThat(Krum.scores(Updates.loadAll(w(0), results), 1)).containsExactly(5, 2, 2, 5, 19013);
    }

    @Test
    void multiKrumAveragesTheBestScoredUpdatesBySamples() {
        List<FitResult> results = List.of(fit("s0", 2, 0), fit("s1", 1, 1), fit("s2", 1, 2), fit("s3", 1, 3), fit("byz", 1, 100));

        AggregateResult r = new Krum(1, 3).aggregateFit(RoundContext.first(), w(0), results);

        // kept s1, s2, s0 (score ties broken by name): (1 x 1 + 1 x 2 + 2 x 0) / 4 = 0.75
        assertThat(r.global().get("w").values()).containsExactly(0.75f);
        assertThat(r.excluded()).extracting(AggregateResult.ExcludedUpdate::site).containsExactly("s3", "byz");
    }

    @Test
    void krumRefusesTooFewUpdates() {
        assertThatThrownBy(() -> new Krum(1, 1).aggregateFit(RoundContext.first(), w(0), fits(new float[] {1}, new float[] {2}, new float[] {3}, new float[] {4})))
                .hasMessage("Krum with f = 1 needs at least 5 updates, round 1 has 4");
        assertThat(new Krum(2, 1).minimumUpdates()).isEqualTo(7);
    }
}
