package org.civitas.federation.protocol;

import java.util.List;

/**
 * What a site's poll of {@code GET participant/tasks} answers: its tasks (the body) and, in the
 * {@value #POLL_AFTER_HEADER} header, how many seconds to wait before it asks again. A coordinator
 * without the header means a second.
 *
 * <p>A long poll, {@code GET participant/tasks?wait=N}, asks the coordinator to hold the call while the
 * site has nothing to do, for up to N seconds (at most {@value #MAX_WAIT_SECONDS}), and to answer as soon
 * as a task of the site's appears: a site that sent its update learns that the next round opened without
 * asking every second. A coordinator that does not know {@code wait} answers at once, as before.
 */
public record RoundTasks(List<RoundTask> tasks, int pollAfterSeconds) {

    public static final String POLL_AFTER_HEADER = "X-Civitas-Poll-After";

    /** The query parameter of a long poll: how many seconds the coordinator may hold the call. */
    public static final String WAIT_PARAMETER = "wait";

    /** The longest a coordinator holds a poll: below the read timeouts of the proxies a site may sit behind. */
    public static final int MAX_WAIT_SECONDS = 30;

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

    /**
     * The hold a site asked for, in seconds: none without the parameter, at most {@value #MAX_WAIT_SECONDS}.
     *
     * @throws IllegalArgumentException for a negative wait
     */
    public static int waitSeconds(Integer requested) {
        if (requested == null) {
            return 0;
        }
        if (requested < 0) {
            throw new IllegalArgumentException(WAIT_PARAMETER + " must be 0 to " + MAX_WAIT_SECONDS + " seconds, was " + requested);
        }
        return Math.min(MAX_WAIT_SECONDS, requested);
    }
}
