package org.civitas.federation.infrastructure;

import org.jboss.logging.MDC;

/**
 * Puts the federation, round and site a piece of work is about into the server's log context
 * (MDC), so every log line written meanwhile carries them: the JSON log ({@code civitas.json.log})
 * shows them as fields, ready for a log search. Closing restores what was there before.
 * The MDC is JBoss Logging's, which WildFly provides; on a server without it (Payara) the context
 * is not recorded and the work goes on.
 */
public final class LogContext implements AutoCloseable {

    private static final String[] KEYS = {"federation", "round", "site"};
    private static final boolean MDC_PRESENT = classPresent("org.jboss.logging.MDC");

    private final Object[] previous = new Object[3];

    private LogContext(Long federation, Integer round, String site) {
        if (!MDC_PRESENT) {
            return;
        }
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
        if (!MDC_PRESENT) {
            return;
        }
        for (int i = 0; i < KEYS.length; i++) {
            if (previous[i] == null) {
                MDC.remove(KEYS[i]);
            } else {
                MDC.put(KEYS[i], previous[i]);
            }
        }
    }

    private static boolean classPresent(String name) {
        try {
            Class.forName(name, false, LogContext.class.getClassLoader());
            return true;
        } catch (ClassNotFoundException | LinkageError e) {
            return false;
        }
    }
}
