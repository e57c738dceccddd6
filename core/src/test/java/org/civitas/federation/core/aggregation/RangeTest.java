package org.civitas.federation.core.aggregation;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** One source of truth: what the catalogue accepts, the rule's constructor accepts, and the reverse. */
class RangeTest {

    @Test
    void catalogueAndConstructorsAgreeAtEveryBound() {
        for (StrategyCatalog.Spec spec : StrategyCatalog.rules()) {
            for (StrategyCatalog.Param p : spec.params()) {
                Range r = p.range();
                double max = r.max() == Double.MAX_VALUE ? 1e6 : r.max();
                for (double v : List.of(r.min(), Math.nextUp(r.min()), Math.nextDown(r.min()), max, Math.nextUp(max),
                        Math.nextDown(max), (r.min() + max) / 2, Math.rint((r.min() + max) / 2))) {
                    boolean allowed = r.contains(v);
                    try {
                        StrategyCatalog.create(spec.name(), Map.of(p.name(), v), Map.of());
                        assertThat(allowed).as("%s %s = %s was created but is outside %s", spec.name(), p.name(), v, r).isTrue();
                    } catch (IllegalArgumentException e) {
                        // The catalogue's own refusal names the strategy first; any other refusal means the
                        // constructor disagreed with the catalogue.
                        assertThat(e.getMessage()).as("%s %s = %s", spec.name(), p.name(), v)
                                .startsWith("strategy " + spec.name() + ": " + p.name());
                        assertThat(allowed).as("%s %s = %s refused but inside %s", spec.name(), p.name(), v, r).isFalse();
                    }
                }
            }
        }
    }

    @Test
    void theBoundsTheCatalogueUsedToGetWrong() {
        assertThat(new TrimmedMean(0.5).name()).isEqualTo("trimmed-mean");
        assertThatThrownBy(() -> StrategyCatalog.create("fedavgm", Map.of("momentum", 1.0), Map.of()))
                .hasMessage("strategy fedavgm: momentum must be in [0, 1), was 1");
        assertThatThrownBy(() -> StrategyCatalog.create("fedyogi", Map.of("beta2", 1.0), Map.of()))
                .hasMessage("strategy fedyogi: beta2 must be in [0, 1), was 1");
        assertThatThrownBy(() -> StrategyCatalog.create("fedbuff", Map.of("serverLearningRate", 0.0), Map.of()))
                .hasMessage("strategy fedbuff: serverLearningRate must be in (0, 100], was 0");
        assertThatThrownBy(() -> StrategyCatalog.create("fedavg", Map.of(), Map.of("maxNorm", 0.0)))
                .hasMessage("filters: maxNorm must be in (0, ∞), was 0");
    }

    @Test
    void describesItselfAndRefusesNonNumbers() {
        assertThat(Range.closedOpen(0, 1)).hasToString("[0, 1)");
        assertThat(Range.positiveUpTo(100)).hasToString("(0, 100]");
        assertThat(Range.closed(0, 0.5).problem("beta", 0.7)).isEqualTo("beta must be in [0, 0.5], was 0.7");
        assertThat(Range.wholeNumbers(0, 10).problem("f", 1.5)).isEqualTo("f must be a whole number, was 1.5");
        assertThat(Range.closed(-1, 1).contains(Double.NaN)).isFalse();
        assertThat(Range.positiveUpTo(Double.MAX_VALUE).contains(Double.POSITIVE_INFINITY)).isFalse();
    }
}
