package org.civitas.web.api;

import jakarta.annotation.Priority;
import jakarta.ejb.EJB;
import jakarta.inject.Inject;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.ws.rs.Priorities;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.container.ContainerRequestFilter;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.ext.Provider;
import org.civitas.domain.federation.UpdateRejectedException;
import org.civitas.federation.coordinator.ParticipantProtocolService;
import org.civitas.federation.infrastructure.CivitasSettings;
import org.civitas.federation.site.CoordinatorClient;
import org.civitas.operations.tls.MutualTls;

import java.security.cert.X509Certificate;
import java.util.Optional;

/**
 * Authenticates the site behind every {@link SiteAuthenticated} endpoint, once per request. The
 * site names itself in {@code X-Civitas-Site} and proves it with {@code Authorization: Bearer
 * <token>}. With {@code civitas.participant.require-client-certificate=true} (mutual TLS, the
 * production setting) the call must also come with a client certificate the consortium CA signed
 * (the TLS layer checks that) whose common name is that site; without one it is refused with 401
 * before the token is looked at.
 */
@Provider
@SiteAuthenticated
@Priority(Priorities.AUTHENTICATION)
public class SiteAuthenticationFilter implements ContainerRequestFilter {

    private static final String CERTIFICATES = "jakarta.servlet.request.X509Certificate";

    @Inject
    CivitasSettings settings;

    @EJB
    ParticipantProtocolService protocol;

    @Inject
    CallingSite callingSite;

    @Context
    HttpServletRequest servletRequest;

    @Override
    public void filter(ContainerRequestContext request) {
        String site = request.getHeaderString(CoordinatorClient.SITE_HEADER);
        if (settings.requireClientCertificate()) {
            Object presented = servletRequest.getAttribute(CERTIFICATES);
            if (!(presented instanceof X509Certificate[] chain) || chain.length == 0) {
                refuse(request, "the participant endpoints need the calling site's client certificate: call over HTTPS with the"
                        + " certificate the consortium CA issued to site '" + site + "'");
                return;
            }
            Optional<String> named = MutualTls.commonName(chain[0]);
            if (site == null || named.isEmpty() || !named.get().equals(site)) {
                refuse(request, "the client certificate names site '" + named.orElse("(none)") + "', not '" + site + "'");
                return;
            }
        }
        // A wrong token throws UpdateRejectedException(UNKNOWN_SITE), which the error mappers answer with 401.
        callingSite.authenticated(protocol.authenticate(site, bearer(request.getHeaderString(HttpHeaders.AUTHORIZATION))));
    }

    private static String bearer(String authorization) {
        if (authorization == null || !authorization.regionMatches(true, 0, "Bearer ", 0, 7)) {
            return null;
        }
        return authorization.substring(7).strip();
    }

    private static void refuse(ContainerRequestContext request, String why) {
        request.abortWith(Response.status(Response.Status.UNAUTHORIZED).type(MediaType.APPLICATION_JSON_TYPE)
                .entity(new ApiError(why, UpdateRejectedException.Reason.UNKNOWN_SITE.name())).build());
    }
}
