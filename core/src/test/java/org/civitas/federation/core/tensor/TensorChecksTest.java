package org.civitas.federation.core.tensor;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class TensorChecksTest {

    private final NamedTensors expected = NamedTensors.builder()
            .put("w", Tensor.zeros(2, 2)).put("b", Tensor.zeros(2)).build();

    @Test
    void acceptsTheSameLayout() {
        assertThatCode(() -> TensorChecks.requireSameLayout(expected, expected.copy())).doesNotThrowAnyException();
    }

    @Test
    void namesMissingAndUnexpectedTensors() {
        NamedTensors other = NamedTensors.builder().put("w", Tensor.zeros(2, 2)).put("c", Tensor.zeros(2)).build();
        assertThatThrownBy(() -> TensorChecks.requireSameLayout(expected, other))
                .hasMessage("tensor names do not match the model state: missing [b] unexpected [c]");
    }

    @Test
    void namesTheTensorWithTheWrongShape() {
        NamedTensors other = NamedTensors.builder().put("w", Tensor.zeros(4)).put("b", Tensor.zeros(2)).build();
        assertThatThrownBy(() -> TensorChecks.requireSameLayout(expected, other))
                .hasMessage("tensor 'w' has shape [4], expected [2, 2]");
    }

    @Test
    void findsNonFiniteValues() {
        NamedTensors bad = expected.copy();
        bad.get("b").values()[1] = Float.NEGATIVE_INFINITY;
        assertThatThrownBy(() -> TensorChecks.requireFinite(bad))
                .hasMessage("tensor 'b' holds a non-finite value (-Infinity) at flat index 1");
    }
}
