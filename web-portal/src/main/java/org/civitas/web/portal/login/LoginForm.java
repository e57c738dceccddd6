package org.civitas.web.portal.login;

import jakarta.enterprise.context.RequestScoped;
import jakarta.faces.context.ExternalContext;
import jakarta.faces.context.FacesContext;
import jakarta.inject.Inject;
import jakarta.inject.Named;
import jakarta.security.enterprise.AuthenticationStatus;
import jakarta.security.enterprise.SecurityContext;
import jakarta.security.enterprise.authentication.mechanism.http.AuthenticationParameters;
import jakarta.security.enterprise.credential.UsernamePasswordCredential;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import org.civitas.web.portal.Messages;
import org.civitas.web.portal.Texts;
import org.civitas.web.security.CivitasAuthenticationMechanism;

import java.io.IOException;

/** The login form: hands the credentials to the application's authentication mechanism, then goes where the user was headed. */
@Named
@RequestScoped
public class LoginForm {

    /** Where a login goes when it was headed nowhere in particular. */
    static final String HOME = "/federations/index.xhtml";

    @Inject
    SecurityContext security;

    private String username;
    private String password;
    private String next;

    public String login() throws IOException {
        FacesContext faces = FacesContext.getCurrentInstance();
        ExternalContext external = faces.getExternalContext();
        AuthenticationStatus status = security.authenticate((HttpServletRequest) external.getRequest(),
                (HttpServletResponse) external.getResponse(),
                AuthenticationParameters.withParams().newAuthentication(true).credential(new UsernamePasswordCredential(username, password)));
        if (status == AuthenticationStatus.SUCCESS) {
            external.redirect(external.getRequestContextPath() + safeTarget(next));
            faces.responseComplete();
            return null;
        }
        if (status == AuthenticationStatus.SEND_CONTINUE) {
            faces.responseComplete();
            return null;
        }
        // Same answer for an unknown user, a wrong password and a locked account: nothing to learn by guessing.
        Messages.error(Texts.of("login.failed"), null);
        return null;
    }

    public String logout() throws ServletException, IOException {
        ExternalContext external = FacesContext.getCurrentInstance().getExternalContext();
        ((HttpServletRequest) external.getRequest()).logout();
        external.invalidateSession();
        external.redirect(external.getRequestContextPath() + CivitasAuthenticationMechanism.LOGIN_PAGE);
        return null;
    }

    /** Only a path inside the portal: never an absolute URL (an open redirect). */
    static String safeTarget(String next) {
        if (next == null || !next.startsWith("/") || next.startsWith("//") || next.contains("\\") || next.startsWith(CivitasAuthenticationMechanism.LOGIN_PAGE)) {
            return HOME;
        }
        return next;
    }

    public String getUsername() {
        return username;
    }

    public void setUsername(String username) {
        this.username = username;
    }

    public String getPassword() {
        return password;
    }

    public void setPassword(String password) {
        this.password = password;
    }

    public String getNext() {
        return next;
    }

    public void setNext(String next) {
        this.next = next;
    }
}
