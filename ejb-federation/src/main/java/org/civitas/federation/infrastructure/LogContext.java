package org.civitas.federation.infrastructure;

import org.jboss.logging.MDC;

/**
 * Puts the federation, round and site a piece of work is about into the server's log context
 * (MDC), so every log line written meanwhile carries them: the JSON log ({@code civitas.json.log})
 * shows them as fields, ready for a log search. Closing restores what was there before.
 */
public final class LogContext implements AutoCloseable {

    private final Object[] previous = new Object[3];
    private static final String[] KEYS = {"federation", "round", "site"};

    private LogContext(Long federation, Integer round, String site) {
        Object[] values = {federation, round, site};
        for (int i = 0; i < KEYS.length; i++) {
            previous[i] = MDC.get(KEYS[i]);
            if (values[i] != null) {
                MDC.put(KEYS[i], String.valueOf(values[i]));
            }
        }
    }

    /** The context of work on a federation's round at a site; null leaves a key as it is. */
    public static LogContext of(Long federation, Integer round, String site) {
        return new LogContext(federation, round, site);
    }

    @Override
    public void close() {
        for (int i = 0; i < KEYS.length; i++) {
            if (previous[i] == null) {
                MDC.remove(KEYS[i]);
            } else {
                MDC.put(KEYS[i], previous[i]);
            }
        }
    }
}
