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
 *
 * <p>Windows come from other enterprises' servers, so their cost is bounded: at most
 * {@value #MAX_WINDOWS} windows, each opening at most once every {@value #MIN_GAP_SECONDS} seconds
 * (checked on the cron's seconds field) and open for at most 7 days; whether a window is open is found by a binary search over
 * the window's length, about 20 cron look-ups, however often it fires.
 */
public final class TrainingCalendar {

    /** Windows a site may have. */
    public static final int MAX_WINDOWS = 16;
    /** The shortest time between two openings of one window. */
    public static final int MIN_GAP_SECONDS = 10;

    /**
     * The shortest time between two seconds a cron's seconds field fires at within a minute
     * (across the minute's end too); 60 when it fires once a minute. The field is Quartz's:
     * {@code *}, numbers, ranges {@code a-b}, steps {@code a/s}, {@code *}{@code /s}, {@code a-b/s}, lists of these.
     */
    static int shortestGapSeconds(String field) {
        java.util.TreeSet<Integer> seconds = new java.util.TreeSet<>();
        for (String part : field.split(",")) {
            String range = part;
            int step = 1;
            int slash = part.indexOf('/');
            if (slash >= 0) {
                range = part.substring(0, slash);
                step = Integer.parseInt(part.substring(slash + 1));
            }
            int from;
            int to;
            if (range.equals("*")) {
                from = 0;
                to = 59;
            } else if (range.contains("-")) {
                from = Integer.parseInt(range.substring(0, range.indexOf('-')));
                to = Integer.parseInt(range.substring(range.indexOf('-') + 1));
            } else {
                from = Integer.parseInt(range);
                to = slash >= 0 ? 59 : from;
            }
            for (int s = from; s <= to; s += Math.max(1, step)) {
                seconds.add(s);
            }
        }
        int gap = 60;
        Integer previous = null;
        for (int s : seconds) {
            if (previous != null) {
                gap = Math.min(gap, s - previous);
            }
            previous = s;
        }
        return seconds.size() > 1 ? Math.min(gap, 60 - seconds.last() + seconds.first()) : gap;
    }

    /** One window: when it opens, for how long, in which zone. */
    public record Window(String cron, Duration length, String timeZone) {

        public Window {
            if (cron == null || !CronExpression.isValidExpression(cron)) {
                throw new IllegalArgumentException("training window cron '" + cron + "' is not a valid cron expression"
                        + " (seconds minutes hours day-of-month month day-of-week, e.g. '0 0 22 ? * MON-FRI')");
            }
            int gap = shortestGapSeconds(cron.strip().split("\\s+")[0]);
            if (gap < MIN_GAP_SECONDS) {
                throw new IllegalArgumentException("training window cron '" + cron + "' opens " + gap + " s apart; a window may open"
                        + " at most once every " + MIN_GAP_SECONDS + " seconds");
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

        /**
         * The end of this window's opening that contains {@code now}, if one does. Several openings
         * may overlap now (a window longer than its period): the latest opening at or before now ends
         * last. It is found by bisection, not by walking through the openings.
         */
        Optional<Instant> openUntil(Instant now) {
            CronExpression e = expression();
            Instant first = next(e, now.minus(length));
            if (first == null || first.isAfter(now)) {
                return Optional.empty();
            }
            // The largest second t in [first, now] whose next opening is still at or before now; that opening is the latest.
            long lo = first.getEpochSecond();
            long hi = now.getEpochSecond();
            Instant latest = first;
            while (lo <= hi) {
                long mid = lo + (hi - lo) / 2;
                Instant after = next(e, Instant.ofEpochSecond(mid));
                if (after != null && !after.isAfter(now)) {
                    latest = after;
                    lo = mid + 1;
                } else {
                    hi = mid - 1;
                }
            }
            Instant end = latest.plus(length);
            return end.isAfter(now) ? Optional.of(end) : Optional.empty();
        }

        private static Instant next(CronExpression e, Instant after) {
            Date d = e.getNextValidTimeAfter(Date.from(after));
            return d == null ? null : d.toInstant();
        }

        Optional<Instant> nextOpening(Instant now) {
            return Optional.ofNullable(expression().getNextValidTimeAfter(Date.from(now))).map(Date::toInstant);
        }
    }

    private final List<Window> windows;

    public TrainingCalendar(List<Window> windows) {
        if (windows.size() > MAX_WINDOWS) {
            throw new IllegalArgumentException("a site has at most " + MAX_WINDOWS + " training windows, got " + windows.size());
        }
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
