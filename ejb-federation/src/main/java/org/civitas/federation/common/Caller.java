package org.civitas.federation.common;

import org.civitas.domain.security.Role;

import java.util.Set;

/**
 * Who is asking: an authenticated user, its roles, and the enterprise it acts for (null for the
 * consortium's own users). Services that decide on behalf of someone take it explicitly.
 */
public record Caller(String username, Set<Role> roles, String enterprise) {

    public boolean has(Role role) {
        return roles.contains(role);
    }

    public boolean isConsortium() {
        return enterprise == null;
    }

    /** The actor as the audit chain records it. */
    public String actor() {
        return "user:" + username;
    }
}
