package org.civitas.federation.common;

import java.util.Set;

/**
 * A CDI event: rounds opened for these sites where none was open before (a federation started, or
 * a line is retrained). The sites this server hosts ask for their tasks at once rather than at
 * their next idle poll; sites on other servers learn of it at theirs. Observers see it only
 * after the opening committed.
 */
public record RoundsOpened(Set<String> sites) {

    public RoundsOpened {
        sites = Set.copyOf(sites);
    }
}
