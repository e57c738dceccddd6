package org.civitas.federation.core.aggregation;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;
import static org.civitas.federation.core.aggregation.TestTensors.w;

class FedBuffTest {

    @Test
    void stalenessWeightsFollowOneOverRootOfOnePlusStaleness() {
        assertThat(FedBuff.stalenessWeight(0)).isEqualTo(1.0);
        assertThat(FedBuff.stalenessWeight(3)).isEqualTo(0.5);
        assertThat(FedBuff.stalenessWeight(8)).isCloseTo(1 / 3.0, within(1e-12));
    }

    @Test
    void aggregatesTheBufferScaledByStaleness() {
        // (1/K) sum s(tau) d = (1 x 4 + 0.5 x 2) / 2 = 2.5, times eta 2
        FedBuff buff = new FedBuff(2, 2.0);
        AggregateResult r = buff.aggregateFit(RoundContext.first(), w(1), List.of(
                new FitResult("fresh", 10, 0, () -> w(4)),
                new FitResult("stale", 10, 3, () -> w(2))));
        assertThat(r.global().get("w").values()).containsExactly(6f);
        assertThat(buff.roundQuorum()).hasValue(2);
        assertThatThrownBy(() -> new FedBuff(0, 1)).hasMessage("FedBuff bufferSize must be in [1, 10000], was 0");
    }
}
