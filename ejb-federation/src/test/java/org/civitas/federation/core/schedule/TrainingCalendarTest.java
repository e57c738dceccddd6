package org.civitas.federation.core.schedule;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.ZoneId;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class TrainingCalendarTest {

    private static final ZoneId BERLIN = ZoneId.of("Europe/Berlin");

    private static Instant berlin(String localDateTime) {
        return ZonedDateTime.of(java.time.LocalDateTime.parse(localDateTime), BERLIN).toInstant();
    }

    /** Weeknights 22:00 to 06:00, Berlin time. */
    private final TrainingCalendar nights = new TrainingCalendar(List.of(
            new TrainingCalendar.Window("0 0 22 ? * MON-FRI", Duration.ofHours(8), "Europe/Berlin")));

    @Test
    void aWindowIsOpenFromItsStartForItsLengthInItsZone() {
        assertThat(nights.isOpen(berlin("2026-11-26T21:59:59"))).isFalse();
        assertThat(nights.isOpen(berlin("2026-11-26T22:00:00"))).isTrue();
        assertThat(nights.openUntil(berlin("2026-11-27T03:00:00"))).contains(berlin("2026-11-27T06:00:00"));
        assertThat(nights.isOpen(berlin("2026-11-27T06:00:00"))).isFalse();
        // Friday night opens, Saturday night does not
        assertThat(nights.isOpen(berlin("2026-11-28T01:00:00"))).isTrue();
        assertThat(nights.isOpen(berlin("2026-11-28T23:00:00"))).isFalse();
        assertThat(nights.nextOpening(berlin("2026-11-28T23:00:00"))).contains(berlin("2026-11-30T22:00:00"));
    }

    @Test
    void noWindowsMeansAlwaysOpenAndOverlappingWindowsCloseAtTheLatestEnd() {
        TrainingCalendar always = new TrainingCalendar(List.of());
        assertThat(always.isOpen(Instant.parse("2026-11-27T12:00:00Z"))).isTrue();
        assertThat(always.nextOpening(Instant.parse("2026-11-27T12:00:00Z"))).isEmpty();
        TrainingCalendar overlapping = new TrainingCalendar(List.of(
                new TrainingCalendar.Window("0 0 * ? * *", Duration.ofMinutes(90), "UTC")));
        assertThat(overlapping.openUntil(Instant.parse("2026-11-27T12:40:00Z"))).contains(Instant.parse("2026-11-27T13:30:00Z"));
    }

    @Test
    void badWindowsAreRefusedNamingTheField() {
        assertThatThrownBy(() -> new TrainingCalendar.Window("every night", Duration.ofHours(1), "UTC"))
                .hasMessageContaining("training window cron 'every night' is not a valid cron expression");
        assertThatThrownBy(() -> new TrainingCalendar.Window("0 0 22 ? * *", Duration.ZERO, "UTC"))
                .hasMessageContaining("training window length must be between 1 second and 7 days");
        assertThatThrownBy(() -> new TrainingCalendar.Window("0 0 22 ? * *", Duration.ofHours(1), "Mars/Olympus"))
                .hasMessageContaining("time zone 'Mars/Olympus' is not a known zone");
    }
}
