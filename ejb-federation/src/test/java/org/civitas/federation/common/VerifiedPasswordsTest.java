package org.civitas.federation.common;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;

import static org.assertj.core.api.Assertions.assertThat;

class VerifiedPasswordsTest {

    private static final Instant T0 = Instant.parse("2026-12-05T10:00:00Z");

    @Test
    void aCheckedPasswordIsRememberedForFiveMinutesForThatUserAndStoredHashOnly() {
        VerifiedPasswords verified = new VerifiedPasswords();
        verified.remember("admin", "secret-one", "hash-1", T0);

        assertThat(verified.remembered("admin", "secret-one", "hash-1", T0.plus(Duration.ofMinutes(4)))).isTrue();
        assertThat(verified.remembered("admin", "secret-two", "hash-1", T0)).as("another password").isFalse();
        assertThat(verified.remembered("admin", "secret-one", "hash-2", T0)).as("the password was changed").isFalse();
        assertThat(verified.remembered("auditor", "secret-one", "hash-1", T0)).as("another user").isFalse();
        assertThat(verified.remembered("admin", "secret-one", "hash-1", T0.plus(VerifiedPasswords.REMEMBER))).isFalse();
    }

    @Test
    void aCheckAfterTheEntryExpiredIsRememberedAgain() {
        // An expired entry once stayed in place and was never renewed, so every later request paid for the slow hash.
        VerifiedPasswords verified = new VerifiedPasswords();
        verified.remember("admin", "secret-one", "hash-1", T0);
        Instant later = T0.plus(Duration.ofMinutes(6));
        assertThat(verified.remembered("admin", "secret-one", "hash-1", later)).isFalse();

        verified.remember("admin", "secret-one", "hash-1", later);

        assertThat(verified.remembered("admin", "secret-one", "hash-1", later.plus(Duration.ofMinutes(4)))).isTrue();
    }
}
