package org.civitas.federation.core.aggregation;

import org.civitas.federation.core.tensor.NamedTensors;
import org.civitas.federation.core.tensor.Tensor;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

class ModalityAwareAvgTest {

    private static Tensor v(float... values) {
        return new Tensor(new int[] {values.length}, values);
    }

    private final NamedTensors global = NamedTensors.builder()
            .put("image_tower.w", v(10, 10)).put("text_adapter.w", v(20, 20)).put("head.w", v(30)).put("audio.w", v(5)).build();

    @Test
    void averagesEachGroupOnlyOverTheSitesThatTrainedIt() {
        NamedTensors a = NamedTensors.builder().put("image_tower.w", v(2, 2)).put("head.w", v(1)).build();
        NamedTensors b = NamedTensors.builder().put("text_adapter.w", v(4, 4)).put("head.w", v(3)).build();
        NamedTensors c = NamedTensors.builder().put("image_tower.w", v(0, 0)).put("text_adapter.w", v(0, 0)).put("head.w", v(1)).build();
        ModalityAwareAvg strategy = new ModalityAwareAvg();
        strategy.validateUpdate(global, b);

        AggregateResult r = strategy.aggregateFit(RoundContext.first(), global,
                List.of(new FitResult("a", 1, () -> a), new FitResult("textOnly", 3, () -> b), new FitResult("c", 1, () -> c)));

        // image over a and c: (2 + 0) / 2; text over b and c: (3 x 4 + 0) / 4; head over all: (1 + 9 + 1) / 5
        assertThat(r.global().get("image_tower.w").values()).containsExactly(11f, 11f);
        assertThat(r.global().get("text_adapter.w").values()).containsExactly(23f, 23f);
        assertThat(r.global().get("head.w").values()).containsExactly(new float[] {32.2f}, within(1e-5f));
        assertThat(r.global().get("audio.w").values()).containsExactly(5f);
    }

    @Test
    void refusesAnIncompleteGroupOrAnUnknownTensor() {
        NamedTensors g = NamedTensors.builder().put("image_tower.conv", v(1)).put("image_tower.fc", v(1)).put("head.w", v(1)).build();
        ModalityAwareAvg strategy = new ModalityAwareAvg();
        assertThatThrownBy(() -> strategy.validateUpdate(g, NamedTensors.builder().put("image_tower.conv", v(1)).build()))
                .hasMessage("group 'image_tower' is incomplete: missing [image_tower.fc]");
        assertThatThrownBy(() -> strategy.validateUpdate(g, NamedTensors.builder().put("lidar.w", v(1)).build()))
                .hasMessageContaining("unexpected [lidar.w]");
        assertThatThrownBy(() -> strategy.validateUpdate(g, NamedTensors.builder().put("head.w", v(1, 2)).build()))
                .hasMessageContaining("tensor 'head.w' has shape [2], expected [1]");
    }
}
