package org.civitas.federation.protocol;


import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The metadata part of an upload is read strictly: a lenient binder wraps 1e30 into a long. */
class UpdateMetadataTest {

    @Test
    void readsAGoodPart() {
        UpdateMetadata m = UpdateMetadata.parse("{\"sampleCount\": 50, \"trainLoss\": 0.9, \"globalLoss\": 1.6, \"heldoutMacroF1\": null}");
        assertThat(m).isEqualTo(new UpdateMetadata(50L, 0.9, 1.6, null, null));
    }

    @Test
    void refusesNumbersThatAreNotWholeOrDoNotFitAndNamesTheField() {
        assertThatThrownBy(() -> UpdateMetadata.parse("{\"sampleCount\": 1e30, \"trainLoss\": 1, \"globalLoss\": 1}"))
                .hasMessage("sampleCount must be a whole number written without a fraction or exponent, was 1.0E30");
        assertThatThrownBy(() -> UpdateMetadata.parse("{\"sampleCount\": 2.5, \"trainLoss\": 1, \"globalLoss\": 1}"))
                .hasMessageContaining("sampleCount must be a whole number");
        assertThatThrownBy(() -> UpdateMetadata.parse("{\"sampleCount\": 18446744073709551616, \"trainLoss\": 1, \"globalLoss\": 1}"))
                .hasMessage("sampleCount 18446744073709551616 does not fit a 64-bit integer");
        assertThatThrownBy(() -> UpdateMetadata.parse("{\"sampleCount\": \"50\", \"trainLoss\": 1, \"globalLoss\": 1}"))
                .hasMessageContaining("sampleCount must be a whole number");
        assertThatThrownBy(() -> UpdateMetadata.parse("{\"sampleCount\": 5, \"trainLoss\": 1e400, \"globalLoss\": 1}"))
                .hasMessageContaining("trainLoss must be a finite number");
    }

    @Test
    void refusesUnknownFieldsTrailingContentAndRepeatedFields() {
        assertThatThrownBy(() -> UpdateMetadata.parse("{\"sampleCount\": 5, \"trainLoss\": 1, \"globalLoss\": 1, \"weight\": 9}"))
                .hasMessageStartingWith("metadata has unknown fields [weight]");
        assertThatThrownBy(() -> UpdateMetadata.parse("{\"sampleCount\": 5, \"trainLoss\": 1, \"globalLoss\": 1} {}"))
                .hasMessageContaining("unexpected content after the JSON value");
        assertThatThrownBy(() -> UpdateMetadata.parse("{\"sampleCount\": 5, \"sampleCount\": 9000}"))
                .hasMessageContaining("field 'sampleCount' appears twice");
        assertThatThrownBy(() -> UpdateMetadata.parse("[5]")).hasMessage("metadata must be a JSON object");
    }
}
