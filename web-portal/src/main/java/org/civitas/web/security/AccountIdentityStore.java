package org.civitas.web.security;

import jakarta.ejb.EJB;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.security.enterprise.credential.Credential;
import jakarta.security.enterprise.credential.UsernamePasswordCredential;
import jakarta.security.enterprise.identitystore.CredentialValidationResult;
import jakarta.security.enterprise.identitystore.IdentityStore;
import org.civitas.federation.application.UserService;

import java.util.stream.Collectors;

/** Checks user name and password against the user accounts; the user's roles become its groups. */
@ApplicationScoped
public class AccountIdentityStore implements IdentityStore {

    @EJB
    UserService users;

    @Override
    public CredentialValidationResult validate(Credential credential) {
        if (!(credential instanceof UsernamePasswordCredential c)) {
            return CredentialValidationResult.NOT_VALIDATED_RESULT;
        }
        UserService.Login login = users.login(c.getCaller(), c.getPasswordAsString());
        if (login.caller() == null) {
            return CredentialValidationResult.INVALID_RESULT;
        }
        return new CredentialValidationResult(login.caller().username(),
                login.caller().roles().stream().map(Enum::name).collect(Collectors.toSet()));
    }
}
