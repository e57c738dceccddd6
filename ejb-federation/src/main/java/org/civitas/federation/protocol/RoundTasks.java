package org.civitas.federation.protocol;

import java.util.List;

/**
 * What a site's poll of {@code GET participant/tasks} answers: its tasks (the body) and, in the
 * {@value #POLL_AFTER_HEADER} header, how many seconds to wait before it asks again. A coordinator
 * without the header means a second.
 */
public record RoundTasks(List<RoundTask> tasks, int pollAfterSeconds) {

    public static final String POLL_AFTER_HEADER = "X-Civitas-Poll-After";

    public RoundTasks {
        tasks = List.copyOf(tasks);
        if (pollAfterSeconds < 1) {
            throw new IllegalArgumentException("pollAfterSeconds must be at least 1, was " + pollAfterSeconds);
        }
    }

    /** The wait a coordinator's header gives: absent, unreadable or below a second, a second; at most five minutes. */
    public static int pollAfter(String header) {
        if (header == null) {
            return 1;
        }
        try {
            return Math.max(1, Math.min(300, Integer.parseInt(header.strip())));
        } catch (NumberFormatException e) {
            return 1;
        }
    }
}
