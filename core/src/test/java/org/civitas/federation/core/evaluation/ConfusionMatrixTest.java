package org.civitas.federation.core.evaluation;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

class ConfusionMatrixTest {

    private static final List<String> LABELS = List.of("spam", "ham", "phishing");

    @Test
    void countsEachPairAndDerivesPrecisionRecallAndF1PerLabel() {
        // truth:     spam spam spam ham ham phishing
        // predicted: spam spam ham  ham spam spam
        ConfusionMatrix m = ConfusionMatrix.of(LABELS, new int[] {0, 0, 0, 1, 1, 2}, new int[] {0, 0, 1, 1, 0, 0});

        assertThat(m.counts()).containsExactly(List.of(2, 1, 0), List.of(1, 1, 0), List.of(1, 0, 0));
        assertThat(m.samples()).isEqualTo(6);
        assertThat(m.accuracy()).isCloseTo(3 / 6.0, within(1e-12));
        ConfusionMatrix.LabelMetrics spam = m.perLabel().get(0);
        assertThat(spam.precision()).isCloseTo(2 / 4.0, within(1e-12));
        assertThat(spam.recall()).isCloseTo(2 / 3.0, within(1e-12));
        assertThat(spam.f1()).isCloseTo(2 * 0.5 * (2 / 3.0) / (0.5 + 2 / 3.0), within(1e-12));
        assertThat(spam.support()).isEqualTo(3);
        ConfusionMatrix.LabelMetrics phishing = m.perLabel().get(2);
        assertThat(phishing.precision()).isZero();
        assertThat(phishing.recall()).isZero();
        assertThat(phishing.f1()).isZero();
        // ham: precision 1/2, recall 1/2, F1 1/2; macro over the three labels that occur
        assertThat(m.macroF1()).isCloseTo((spam.f1() + 0.5 + 0) / 3, within(1e-12));
    }

    @Test
    void aLabelAbsentFromTruthAndPredictionsIsLeftOutOfTheMacroF1() {
        ConfusionMatrix m = ConfusionMatrix.of(LABELS, new int[] {0, 1}, new int[] {0, 1});
        assertThat(m.macroF1()).isEqualTo(1.0);
        assertThat(m.perLabel().get(2).support()).isZero();
    }

    @Test
    void refusesAMatrixThatDoesNotFitItsLabels() {
        assertThatThrownBy(() -> new ConfusionMatrix(LABELS, List.of(List.of(1, 0, 0), List.of(0, 1, 0))))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("one row per label (3), was 2");
        assertThatThrownBy(() -> new ConfusionMatrix(LABELS, List.of(List.of(1, 0, 0), List.of(0, 1), List.of(0, 0, 1))))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new ConfusionMatrix(LABELS, List.of(List.of(1, 0, 0), List.of(0, -1, 0), List.of(0, 0, 1))))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
