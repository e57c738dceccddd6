package org.civitas.web.security;

import jakarta.ejb.EJB;
import jakarta.enterprise.context.RequestScoped;
import jakarta.inject.Inject;
import jakarta.security.enterprise.SecurityContext;
import org.civitas.federation.common.Caller;
import org.civitas.federation.common.ForbiddenException;
import org.civitas.federation.common.UserService;

import java.security.Principal;

/** The authenticated user of this request, as the services take it. */
@RequestScoped
public class CurrentCaller {

    @Inject
    SecurityContext security;

    @EJB
    UserService users;

    private Caller caller;

    public Caller get() {
        if (caller == null) {
            Principal principal = security.getCallerPrincipal();
            if (principal == null) {
                throw new ForbiddenException("log in first");
            }
            caller = users.caller(principal.getName()).orElseThrow(() ->
                    new ForbiddenException("user " + principal.getName() + " no longer exists"));
        }
        return caller;
    }
}
