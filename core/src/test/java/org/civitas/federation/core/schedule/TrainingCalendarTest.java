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

    @Test
    void windowsThatWouldCostTooMuchAreRefused() {
        assertThatThrownBy(() -> new TrainingCalendar.Window("* * * ? * *", Duration.ofDays(7), "UTC"))
                .hasMessage("training window cron '* * * ? * *' opens 1 s apart; a window may open at most once every 10 seconds");
        assertThatThrownBy(() -> new TrainingCalendar.Window("0/5 * * ? * *", Duration.ofHours(1), "UTC"))
                .hasMessageContaining("opens 5 s apart");
        assertThatThrownBy(() -> new TrainingCalendar.Window("0,55 * * ? * *", Duration.ofHours(1), "UTC"))
                .hasMessageContaining("opens 5 s apart");
        assertThat(TrainingCalendar.shortestGapSeconds("0/20")).isEqualTo(20);
        assertThat(TrainingCalendar.shortestGapSeconds("30")).isEqualTo(60);
        assertThat(TrainingCalendar.shortestGapSeconds("10-30/10")).isEqualTo(10);
        assertThat(TrainingCalendar.shortestGapSeconds("*/15")).isEqualTo(15);
        assertThatThrownBy(() -> new TrainingCalendar.Window("0 0 22 ? * *", Duration.ofDays(8), "UTC"))
                .hasMessageContaining("between 1 second and 7 days");
        java.util.List<TrainingCalendar.Window> many = new java.util.ArrayList<>();
        for (int i = 0; i < 17; i++) {
            many.add(new TrainingCalendar.Window("0 " + i + " 22 ? * *", Duration.ofMinutes(1), "UTC"));
        }
        assertThatThrownBy(() -> new TrainingCalendar(many)).hasMessage("a site has at most 16 training windows, got 17");
    }

    @Test
    void bisectionFindsTheSameEndAsWalkingThroughTheOpenings() {
        java.util.SplittableRandom random = new java.util.SplittableRandom(42);
        String[] crons = {"0 * * ? * *", "0/20 * * ? * *", "0 0/7 * ? * *", "30 15 3,9,22 ? * MON-FRI", "0 0 0 1 * ?", "0 0 12 ? * SUN", "0 10 * ? * *"};
        for (int trial = 0; trial < 300; trial++) {
            String cron = crons[random.nextInt(crons.length)];
            Duration length = Duration.ofSeconds(1 + random.nextLong(7 * 24 * 3600));
            TrainingCalendar.Window w = new TrainingCalendar.Window(cron, length, "Europe/Berlin");
            Instant now = Instant.parse("2026-03-01T00:00:00Z").plusSeconds(random.nextLong(365L * 24 * 3600));
            assertThat(w.openUntil(now)).as("%s for %s at %s", cron, length, now).isEqualTo(walking(w, now));
        }
    }

    /** The obvious way: every opening in (now - length, now], the last one's end. */
    private static java.util.Optional<Instant> walking(TrainingCalendar.Window w, Instant now) {
        org.quartz.CronExpression e = w.expression();
        java.util.Date start = e.getNextValidTimeAfter(java.util.Date.from(now.minus(w.length())));
        Instant end = null;
        while (start != null && !start.toInstant().isAfter(now)) {
            end = start.toInstant().plus(w.length());
            start = e.getNextValidTimeAfter(start);
        }
        return end == null || !end.isAfter(now) ? java.util.Optional.empty() : java.util.Optional.of(end);
    }
}
