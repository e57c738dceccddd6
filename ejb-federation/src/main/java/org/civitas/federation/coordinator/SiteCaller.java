package org.civitas.federation.coordinator;

import java.util.Objects;

/**
 * A site whose token (and, with mutual TLS, certificate) the coordinator has checked. Only
 * {@link ParticipantProtocolService#authenticate} makes one, so a service that takes a
 * {@code SiteCaller} knows which site is calling without seeing its token.
 */
public final class SiteCaller {

    private final String code;

    SiteCaller(String code) {
        this.code = Objects.requireNonNull(code);
    }

    /** The authenticated site's code. */
    public String code() {
        return code;
    }

    @Override
    public String toString() {
        return "site:" + code;
    }
}
