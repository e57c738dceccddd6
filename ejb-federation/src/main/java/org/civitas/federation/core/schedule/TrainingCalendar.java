package org.civitas.federation.core.schedule;

import org.quartz.CronExpression;

import java.text.ParseException;
import java.time.DateTimeException;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.Date;
import java.util.List;
import java.util.Optional;
import java.util.TimeZone;

/**
 * A site's training windows. Each window opens by a cron expression (Quartz syntax, seconds first:
 * {@code "0 0 22 ? * MON-FRI"} is 22:00 on weekdays) in its time zone and stays open for its
 * length. A site with no windows may train at any time.
 */
public final class TrainingCalendar {

    /** One window: when it opens, for how long, in which zone. */
    public record Window(String cron, Duration length, String timeZone) {

        public Window {
            if (cron == null || !CronExpression.isValidExpression(cron)) {
                throw new IllegalArgumentException("training window cron '" + cron + "' is not a valid cron expression"
                        + " (seconds minutes hours day-of-month month day-of-week, e.g. '0 0 22 ? * MON-FRI')");
            }
            if (length == null || length.isNegative() || length.isZero() || length.compareTo(Duration.ofDays(7)) > 0) {
                throw new IllegalArgumentException("training window length must be between 1 second and 7 days, was " + length);
            }
            try {
                ZoneId.of(timeZone);
            } catch (DateTimeException | NullPointerException e) {
                throw new IllegalArgumentException("training window time zone '" + timeZone + "' is not a known zone (e.g. Europe/Berlin)");
            }
        }

        CronExpression expression() {
            try {
                CronExpression e = new CronExpression(cron);
                e.setTimeZone(TimeZone.getTimeZone(ZoneId.of(timeZone)));
                return e;
            } catch (ParseException e) {
                throw new IllegalStateException(e);
            }
        }

        /** The end of this window's opening that contains {@code now}, if one does. */
        Optional<Instant> openUntil(Instant now) {
            CronExpression e = expression();
            Date start = e.getNextValidTimeAfter(Date.from(now.minus(length)));
            Instant end = null;
            // Several openings may overlap now (a window longer than its period): the latest one ends last.
            while (start != null && !start.toInstant().isAfter(now)) {
                end = start.toInstant().plus(length);
                start = e.getNextValidTimeAfter(start);
            }
            return end == null || !end.isAfter(now) ? Optional.empty() : Optional.of(end);
        }

        Optional<Instant> nextOpening(Instant now) {
            return Optional.ofNullable(expression().getNextValidTimeAfter(Date.from(now))).map(Date::toInstant);
        }
    }

    private final List<Window> windows;

    public TrainingCalendar(List<Window> windows) {
        this.windows = List.copyOf(windows);
    }

    public boolean isAlwaysOpen() {
        return windows.isEmpty();
    }

    public boolean isOpen(Instant now) {
        return isAlwaysOpen() || openUntil(now).isPresent();
    }

    /** When the window open now closes (the latest end among open windows); empty when none is open or there are no windows. */
    public Optional<Instant> openUntil(Instant now) {
        return windows.stream().map(w -> w.openUntil(now)).flatMap(Optional::stream).max(Instant::compareTo);
    }

    /** When the next window opens after now; empty when there are no windows (always open) or none ever opens again. */
    public Optional<Instant> nextOpening(Instant now) {
        return windows.stream().map(w -> w.nextOpening(now)).flatMap(Optional::stream).min(Instant::compareTo);
    }
}
