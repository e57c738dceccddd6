package org.civitas.federation.protocol;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class RoundTasksTest {

    @Test
    void theCoordinatorsWaitIsTakenWithinASecondAndFiveMinutes() {
        assertThat(RoundTasks.pollAfter("15")).isEqualTo(15);
        assertThat(RoundTasks.pollAfter(" 3 ")).isEqualTo(3);
        assertThat(RoundTasks.pollAfter("0")).isEqualTo(1);
        assertThat(RoundTasks.pollAfter("86400")).isEqualTo(300);
    }

    @Test
    void aCoordinatorWithoutTheHeaderOrWithNonsenseInItIsAskedEverySecond() {
        assertThat(RoundTasks.pollAfter(null)).isEqualTo(1);
        assertThat(RoundTasks.pollAfter("soon")).isEqualTo(1);
    }

    @Test
    void anAnswerWaitsAtLeastASecond() {
        assertThatThrownBy(() -> new RoundTasks(List.of(), 0)).hasMessageContaining("at least 1");
    }

    @Test
    void aLongPollIsHeldAtMostThirtySecondsAndANegativeWaitIsRefusedByName() {
        assertThat(RoundTasks.waitSeconds(null)).isZero();
        assertThat(RoundTasks.waitSeconds(25)).isEqualTo(25);
        assertThat(RoundTasks.waitSeconds(600)).isEqualTo(RoundTasks.MAX_WAIT_SECONDS);
        assertThatThrownBy(() -> RoundTasks.waitSeconds(-1)).hasMessageContaining("wait must be 0 to 30 seconds, was -1");
    }
}
