package org.civitas.federation.common;

import org.civitas.domain.security.Role;

import java.util.Arrays;
import java.util.EnumSet;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Who is asking: an authenticated user, its roles, and the enterprise it acts for (null for the
 * consortium's own users). Services take it and decide themselves what it may do ({@link
 * #require}); the web layer only says who is calling.
 */
public record Caller(String username, Set<Role> roles, String enterprise) {

    /**
     * The platform acting on its own (seeding the demo, scheduled work): it passes every role check
     * and the audit chain records it as {@value AuditService#SYSTEM}.
     */
    public static final Caller SYSTEM = new Caller(AuditService.SYSTEM, EnumSet.allOf(Role.class), null);

    public boolean has(Role role) {
        return roles.contains(role);
    }

    public boolean isConsortium() {
        return enterprise == null;
    }

    /** The actor as the audit chain records it. */
    public String actor() {
        // Identity, not equality: a user named "system" is still a user.
        return this == SYSTEM ? AuditService.SYSTEM : "user:" + username;
    }

    /**
     * Refuses the action unless the caller has one of the roles.
     *
     * @throws ForbiddenException naming the roles that may, e.g. "only a consortium admin may start federations"
     */
    public void require(String action, Role... anyOf) {
        for (Role role : anyOf) {
            if (has(role)) {
                return;
            }
        }
        throw new ForbiddenException("only a " + Arrays.stream(anyOf).map(Caller::describe).collect(Collectors.joining(" or a "))
                + " may " + action);
    }

    /** A role as a sentence names it: {@code CONSORTIUM_ADMIN} is "consortium administrator". */
    public static String describe(Role role) {
        return role == Role.CONSORTIUM_ADMIN ? "consortium administrator" : role.name().toLowerCase(Locale.ROOT).replace('_', ' ');
    }
}
