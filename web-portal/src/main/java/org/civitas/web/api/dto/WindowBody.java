package org.civitas.web.api.dto;

import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Positive;
import org.civitas.federation.common.InvalidRequestException;
import org.civitas.federation.core.schedule.TrainingCalendar;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/** One training window of a site as its IT operator sets it: a Quartz cron (seconds first), a length, a zone (default UTC). */
public record WindowBody(
        @NotBlank(message = "give the window's Quartz cron, seconds first, e.g. '0 0 22 ? * MON-FRI'") String cron,
        @NotNull(message = "give the window's length in seconds") @Positive(message = "lengthSeconds must be positive") Long lengthSeconds,
        String timeZone) {

    /**
     * The windows as the calendar reads them; the first that is not one (a cron Quartz cannot read,
     * one that opens too often, an unknown zone, a length over a week) is a 400 naming it by its place.
     */
    public static List<TrainingCalendar.Window> windows(List<WindowBody> bodies) {
        List<TrainingCalendar.Window> windows = new ArrayList<>();
        for (int i = 0; i < bodies.size(); i++) {
            WindowBody b = bodies.get(i);
            try {
                windows.add(new TrainingCalendar.Window(b.cron(), Duration.ofSeconds(b.lengthSeconds()),
                        b.timeZone() == null ? "UTC" : b.timeZone()));
            } catch (IllegalArgumentException e) {
                throw new InvalidRequestException("window " + (i + 1) + ": " + e.getMessage());
            }
        }
        return windows;
    }
}
