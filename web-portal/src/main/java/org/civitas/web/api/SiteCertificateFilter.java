package org.civitas.web.api;

import jakarta.inject.Inject;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.container.ContainerRequestFilter;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.ext.Provider;
import org.civitas.domain.federation.UpdateRejectedException;
import org.civitas.federation.infrastructure.CivitasSettings;
import org.civitas.federation.site.CoordinatorClient;
import org.civitas.infrastructure.tls.MutualTls;

import java.security.cert.X509Certificate;
import java.util.Optional;

/**
 * With {@code civitas.participant.require-client-certificate=true} (mutual TLS, the production
 * setting), a call to the participant endpoints must come over TLS with a client certificate the
 * consortium CA signed (the TLS layer checks that) whose common name is the site it speaks for;
 * anything else is refused with 401 before the token is looked at.
 */
@Provider
public class SiteCertificateFilter implements ContainerRequestFilter {

    private static final String CERTIFICATES = "jakarta.servlet.request.X509Certificate";

    @Inject
    CivitasSettings settings;

    @Context
    HttpServletRequest servletRequest;

    @Override
    public void filter(ContainerRequestContext request) {
        if (!settings.requireClientCertificate() || !request.getUriInfo().getPath().replaceFirst("^/", "").startsWith("participant/")) {
            return;
        }
        String site = request.getHeaderString(CoordinatorClient.SITE_HEADER);
        Object presented = servletRequest.getAttribute(CERTIFICATES);
        if (!(presented instanceof X509Certificate[] chain) || chain.length == 0) {
            refuse(request, "the participant endpoints need the calling site's client certificate: call over HTTPS with the"
                    + " certificate the consortium CA issued to site '" + site + "'");
            return;
        }
        Optional<String> named = MutualTls.commonName(chain[0]);
        if (site == null || named.isEmpty() || !named.get().equals(site)) {
            refuse(request, "the client certificate names site '" + named.orElse("(none)") + "', not '" + site + "'");
        }
    }

    private static void refuse(ContainerRequestContext request, String why) {
        request.abortWith(Response.status(Response.Status.UNAUTHORIZED).type(MediaType.APPLICATION_JSON_TYPE)
                .entity(new ApiError(why, UpdateRejectedException.Reason.UNKNOWN_SITE.name())).build());
    }
}
