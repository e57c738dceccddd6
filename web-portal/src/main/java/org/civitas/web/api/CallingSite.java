package org.civitas.web.api;

import jakarta.enterprise.context.RequestScoped;
import org.civitas.federation.coordinator.SiteCaller;

/** The site that {@link SiteAuthenticationFilter} authenticated for this request. */
@RequestScoped
public class CallingSite {

    private SiteCaller caller;

    void authenticated(SiteCaller caller) {
        this.caller = caller;
    }

    public SiteCaller caller() {
        if (caller == null) {
            // Only reachable if an endpoint lacks @SiteAuthenticated: fail closed.
            throw new IllegalStateException("no authenticated site on this request: the endpoint is not @SiteAuthenticated");
        }
        return caller;
    }
}
