package org.civitas.domain.coordination;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class CoordinatorLeaseTest {

    private static final Instant T0 = Instant.parse("2026-12-05T10:00:00Z");
    private static final Duration LENGTH = Duration.ofSeconds(10);

    @Test
    void theFirstClaimTakesAFreeLeaseWithTheFirstTokenAndRenewalsKeepIt() {
        CoordinatorLease lease = new CoordinatorLease(CoordinatorLease.ROUNDS);

        assertThat(lease.claim("a", T0, LENGTH)).isTrue();
        assertThat(lease.getFencingToken()).isEqualTo(1);
        assertThat(lease.claim("a", T0.plusSeconds(9), LENGTH)).isTrue();
        assertThat(lease.claim("a", T0.plusSeconds(18), LENGTH)).as("renewed at 9 s, it lasts to 19 s").isTrue();

        assertThat(lease.getFencingToken()).as("renewals keep the token").isEqualTo(1);
        assertThat(lease.getExpiresAt()).isEqualTo(T0.plusSeconds(28));
        assertThat(lease.getAcquiredAt()).isEqualTo(T0);
    }

    @Test
    void anotherServerWaitsUntilTheLeaseRunsOutThenTakesItWithTheNextToken() {
        CoordinatorLease lease = new CoordinatorLease(CoordinatorLease.ROUNDS);
        lease.claim("a", T0, LENGTH);

        assertThat(lease.claim("b", T0.plusSeconds(9), LENGTH)).isFalse();
        assertThat(lease.getHolder()).isEqualTo("a");
        assertThat(lease.claim("b", T0.plusSeconds(10), LENGTH)).as("run out at 10 s").isTrue();

        assertThat(lease.getHolder()).isEqualTo("b");
        assertThat(lease.getFencingToken()).isEqualTo(2);
        assertThat(lease.claim("a", T0.plusSeconds(11), LENGTH)).as("the old holder, awake again").isFalse();
    }

    @Test
    void aPausedHolderThatWakesUpCannotWriteWithItsOldToken() {
        CoordinatorLease lease = new CoordinatorLease(CoordinatorLease.ROUNDS);
        lease.claim("a", T0, LENGTH);
        long tokenOfA = lease.getFencingToken();
        lease.claim("b", T0.plusSeconds(30), LENGTH);

        assertThatThrownBy(() -> lease.requireHeldWith("a", tokenOfA)).isInstanceOf(CoordinatorLease.LostException.class)
                .hasMessageContaining("held by b with token 2, not by a with token 1");
        lease.requireHeldWith("b", 2);
    }

    @Test
    void aHolderWhoseLeaseRanOutTakesItAgainUnderANewTokenSoWhatItBeganBeforeIsFencedOff() {
        CoordinatorLease lease = new CoordinatorLease(CoordinatorLease.ROUNDS);
        lease.claim("a", T0, LENGTH);
        lease.requireHeldWith("a", 1);

        assertThat(lease.claim("a", T0.plusSeconds(60), LENGTH)).isTrue();

        assertThat(lease.getFencingToken()).isEqualTo(2);
        assertThatThrownBy(() -> lease.requireHeldWith("a", 1)).isInstanceOf(CoordinatorLease.LostException.class);
    }

    @Test
    void aReleasedLeaseIsFreeAtOnce() {
        CoordinatorLease lease = new CoordinatorLease(CoordinatorLease.ROUNDS);
        lease.claim("a", T0, LENGTH);
        lease.release("b");
        assertThat(lease.getHolder()).as("only the holder releases").isEqualTo("a");

        lease.release("a");

        assertThat(lease.claim("b", T0.plusSeconds(1), LENGTH)).isTrue();
        assertThat(lease.getFencingToken()).isEqualTo(2);
        assertThatThrownBy(() -> lease.requireHeldWith("a", 1)).isInstanceOf(CoordinatorLease.LostException.class);
    }

    @Test
    void aClaimNamesItsServerAndAPositiveLength() {
        CoordinatorLease lease = new CoordinatorLease(CoordinatorLease.ROUNDS);
        assertThatThrownBy(() -> lease.claim(" ", T0, LENGTH)).hasMessageStartingWith("server:");
        assertThatThrownBy(() -> lease.claim("a", T0, Duration.ZERO)).hasMessageStartingWith("length:");
        assertThat(lease.getFencingToken()).isZero();
    }
}
