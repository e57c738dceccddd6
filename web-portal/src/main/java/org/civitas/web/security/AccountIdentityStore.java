package org.civitas.web.security;

import jakarta.ejb.EJB;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.security.enterprise.credential.Credential;
import jakarta.security.enterprise.credential.UsernamePasswordCredential;
import jakarta.security.enterprise.identitystore.CredentialValidationResult;
import jakarta.security.enterprise.identitystore.IdentityStore;
import org.civitas.federation.common.UserService;

import java.util.stream.Collectors;

/**
 * Checks user name and password against the user accounts; the user's roles become its groups.
 * The client's address goes with the check (failed logins slow that address down), and why a
 * login was refused is left on the request for the mechanism's answer.
 */
@ApplicationScoped
public class AccountIdentityStore implements IdentityStore {

    /** The request attribute that holds why the login was refused. */
    static final String REFUSAL = "civitas.login.refusal";

    @EJB
    UserService users;

    @jakarta.inject.Inject
    jakarta.servlet.http.HttpServletRequest request;

    @Override
    public CredentialValidationResult validate(Credential credential) {
        if (!(credential instanceof UsernamePasswordCredential c)) {
            return CredentialValidationResult.NOT_VALIDATED_RESULT;
        }
        UserService.Login login = users.login(c.getCaller(), c.getPasswordAsString(), request.getRemoteAddr());
        if (login.caller() == null) {
            request.setAttribute(REFUSAL, login.refusal());
            return CredentialValidationResult.INVALID_RESULT;
        }
        return new CredentialValidationResult(login.caller().username(),
                login.caller().roles().stream().map(Enum::name).collect(Collectors.toSet()));
    }
}
