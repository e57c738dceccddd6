package org.civitas.web.security;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.security.enterprise.AuthenticationStatus;
import jakarta.security.enterprise.authentication.mechanism.http.HttpAuthenticationMechanism;
import jakarta.security.enterprise.authentication.mechanism.http.HttpMessageContext;
import jakarta.security.enterprise.credential.Credential;
import jakarta.security.enterprise.credential.UsernamePasswordCredential;
import jakarta.security.enterprise.identitystore.CredentialValidationResult;
import jakarta.security.enterprise.identitystore.IdentityStoreHandler;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import jakarta.servlet.http.HttpSession;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Set;

/**
 * One mechanism for the whole application:
 * <ul>
 *   <li>the participant protocol ({@code /api/participant/}) is left to the site-token check of the service;</li>
 *   <li>the rest of the API takes HTTP Basic credentials on every request (no session); so do pages
 *       when a client sends them;</li>
 *   <li>portal pages use a form login ({@code login.xhtml}); the identity is kept in the HTTP session,
 *       and an anonymous request for a page is sent to the login page.</li>
 * </ul>
 */
@ApplicationScoped
public class CivitasAuthenticationMechanism implements HttpAuthenticationMechanism {

    static final String SESSION_USER = "civitas.user";
    static final String SESSION_GROUPS = "civitas.groups";
    public static final String LOGIN_PAGE = "/login.xhtml";

    @Inject
    IdentityStoreHandler identityStores;

    @Override
    public AuthenticationStatus validateRequest(HttpServletRequest request, HttpServletResponse response, HttpMessageContext context) {
        String path = request.getRequestURI().substring(request.getContextPath().length());
        if (path.startsWith("/api/participant/")) {
            return context.doNothing();
        }
        Credential credential = context.getAuthParameters().getCredential();
        if (context.isAuthenticationRequest() && credential != null) {
            // The login form, through SecurityContext.authenticate.
            CredentialValidationResult result = identityStores.validate(credential);
            if (result.getStatus() != CredentialValidationResult.Status.VALID) {
                return AuthenticationStatus.SEND_FAILURE;
            }
            HttpSession session = request.getSession(true);
            request.changeSessionId();
            session.setAttribute(SESSION_USER, result.getCallerPrincipal().getName());
            session.setAttribute(SESSION_GROUPS, Set.copyOf(result.getCallerGroups()));
            return context.notifyContainerAboutLogin(result);
        }
        String authorization = request.getHeader("Authorization");
        if (path.startsWith("/api/") || (authorization != null && authorization.regionMatches(true, 0, "Basic ", 0, 6))) {
            // The API always, and pages when a client (a script, a test) sends Basic credentials.
            return basic(request, response, context);
        }
        HttpSession session = request.getSession(false);
        if (session != null && session.getAttribute(SESSION_USER) instanceof String user) {
            @SuppressWarnings("unchecked")
            Set<String> groups = (Set<String>) session.getAttribute(SESSION_GROUPS);
            return context.notifyContainerAboutLogin(user::toString, groups);
        }
        if (context.isProtected()) {
            String target = path + (request.getQueryString() == null ? "" : "?" + request.getQueryString());
            return context.redirect(request.getContextPath() + LOGIN_PAGE + "?next=" + URLEncoder.encode(target, StandardCharsets.UTF_8));
        }
        return context.doNothing();
    }

    private AuthenticationStatus basic(HttpServletRequest request, HttpServletResponse response, HttpMessageContext context) {
        String header = request.getHeader("Authorization");
        if (header != null && header.regionMatches(true, 0, "Basic ", 0, 6)) {
            String decoded;
            try {
                decoded = new String(Base64.getDecoder().decode(header.substring(6).strip()), StandardCharsets.UTF_8);
            } catch (IllegalArgumentException e) {
                return challenge(request, response, "the Basic credentials are not valid Base64");
            }
            int colon = decoded.indexOf(':');
            if (colon > 0) {
                CredentialValidationResult result = identityStores.validate(
                        new UsernamePasswordCredential(decoded.substring(0, colon), decoded.substring(colon + 1)));
                if (result.getStatus() == CredentialValidationResult.Status.VALID) {
                    return context.notifyContainerAboutLogin(result);
                }
            }
            Object refusal = request.getAttribute(AccountIdentityStore.REFUSAL);
            return challenge(request, response, refusal == null ? "wrong user name or password" : refusal.toString());
        }
        return context.isProtected() ? challenge(request, response, "log in: send HTTP Basic credentials") : context.doNothing();
    }

    /**
     * 401 with the JSON error body every API answer has (the container's own 401 is an HTML page).
     * The response is written and committed here, and the mechanism answers SEND_CONTINUE ("the
     * answer is written"), as for a redirect: with SEND_FAILURE or {@code responseUnauthorized()}
     * the container sends its own error page instead.
     */
    private static AuthenticationStatus challenge(HttpServletRequest request, HttpServletResponse response, String why) {
        response.setHeader("WWW-Authenticate", "Basic realm=\"Civitas\"");
        response.setStatus(HttpServletResponse.SC_UNAUTHORIZED);
        response.setContentType("application/json");
        response.setCharacterEncoding("UTF-8");
        try {
            response.getWriter().write("{\"error\":" + jsonString(why) + ",\"reason\":\"UNAUTHORIZED\"}");
            response.flushBuffer();
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        return AuthenticationStatus.SEND_CONTINUE;
    }

    private static String jsonString(String text) {
        return "\"" + new String(com.fasterxml.jackson.core.io.JsonStringEncoder.getInstance().quoteAsString(text)) + "\"";
    }
}
