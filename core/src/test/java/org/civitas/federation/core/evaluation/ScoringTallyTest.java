package org.civitas.federation.core.evaluation;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

class ScoringTallyTest {

    private static final List<String> LABELS = List.of("leak", "outage", "graffiti");

    @Test
    void countsPredictionsAndComparesOnlyTheLinesWithAKnownLabel() {
        ScoringTally tally = new ScoringTally(LABELS);
        tally.add("leak", "leak");
        tally.add("leak", "outage");
        tally.add("outage", "outage");
        tally.add("graffiti", null);
        tally.add("outage", "vandalism");

        assertThat(tally.lines()).isEqualTo(5);
        assertThat(tally.labelled()).isEqualTo(3);
        assertThat(tally.unknownLabels()).isEqualTo(1);
        assertThat(tally.predictedCounts()).containsExactly(Map.entry("leak", 2), Map.entry("outage", 2), Map.entry("graffiti", 1));
        ConfusionMatrix m = tally.confusion().orElseThrow();
        assertThat(m.counts()).containsExactly(List.of(1, 0, 0), List.of(1, 1, 0), List.of(0, 0, 0));
        assertThat(m.accuracy()).isCloseTo(2.0 / 3, within(1e-12));
        // leak: precision 1/2, recall 1 -> 2/3; outage: precision 1, recall 1/2 -> 2/3; graffiti occurs nowhere in the matrix
        assertThat(m.macroF1()).isCloseTo(2.0 / 3, within(1e-12));
    }

    @Test
    void unlabelledPredictionsHaveNoConfusionMatrix() {
        ScoringTally tally = new ScoringTally(LABELS);
        tally.add("graffiti", null);
        assertThat(tally.confusion()).isEmpty();
        assertThat(tally.predictedCounts().get("graffiti")).isEqualTo(1);
    }

    @Test
    void aPredictionOutsideTheModelsLabelsIsRefused() {
        assertThatThrownBy(() -> new ScoringTally(LABELS).add("flood", null)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("'flood' is not one of the model's labels");
    }
}
