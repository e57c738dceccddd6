package org.civitas.federation.core.aggregation;

import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class StrategyCatalogTest {

    @Test
    void everyRuleIsCreatableWithItsDefaultsAndNamesItself() {
        for (StrategyCatalog.Spec spec : StrategyCatalog.rules()) {
            Strategy s = StrategyCatalog.create(spec.name(), Map.of(), Map.of());
            assertThat(s.name()).as(spec.name()).isEqualTo(spec.name());
            assertThat(spec.paper()).isNotBlank();
        }
        assertThat(StrategyCatalog.rules()).extracting(StrategyCatalog.Spec::name).contains(
                "fedavg", "fedprox", "fedavgm", "fedadagrad", "fedadam", "fedyogi", "median", "trimmed-mean", "krum",
                "multi-krum", "bulyan", "fedbuff", "ffa-lora", "lora-stacking", "modality-aware");
    }

    @Test
    void appliesParametersAndFilters() {
        Strategy s = StrategyCatalog.create("fedprox", Map.of("mu", 0.5), Map.of("maxNorm", 3.0, "minCosine", 0.1));
        assertThat(s).isInstanceOf(NormBoundFilter.class);
        assertThat(s.configureFit(1)).containsEntry("proximalMu", 0.5);
        assertThat(StrategyCatalog.create("fedbuff", Map.of("bufferSize", 3.0), null).roundQuorum()).hasValue(3);
    }

    @Test
    void refusesUnknownNamesAndBadParametersNamingThem() {
        assertThatThrownBy(() -> StrategyCatalog.create("fedsgd", Map.of(), Map.of()))
                .hasMessageStartingWith("strategy 'fedsgd' is not known (known: fedavg, fedprox");
        assertThatThrownBy(() -> StrategyCatalog.create("fedadam", Map.of("lr", 0.1), Map.of()))
                .hasMessage("strategy fedadam has no parameter [lr] (known: [beta1, beta2, biasCorrection, eta, tau])");
        assertThatThrownBy(() -> StrategyCatalog.create("trimmed-mean", Map.of("beta", 0.7), Map.of()))
                .hasMessageContaining("beta must be in [0, 0.5], was 0.7");
        assertThatThrownBy(() -> StrategyCatalog.create("krum", Map.of("byzantine", 1.5), Map.of()))
                .hasMessageContaining("byzantine must be a whole number, was 1.5");
        assertThatThrownBy(() -> StrategyCatalog.create("fedavg", Map.of(), Map.of("minNorm", 1.0)))
                .hasMessageContaining("filters has no parameter [minNorm]");
    }
}
