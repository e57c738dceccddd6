package org.civitas.federation.common;

import jakarta.annotation.PostConstruct;
import jakarta.ejb.DependsOn;
import jakarta.ejb.EJB;
import jakarta.ejb.Singleton;
import jakarta.ejb.Startup;
import jakarta.inject.Inject;
import org.civitas.domain.security.Role;
import org.eclipse.microprofile.config.inject.ConfigProperty;

import java.util.Optional;
import java.util.Set;
import java.util.logging.Logger;

/**
 * A coordinator or participant server starts with no user at all: on its first start, when
 * {@code civitas.admin.initial-password} is given (best as the environment variable
 * {@code CIVITAS_ADMIN_INITIAL_PASSWORD}), the user {@code admin} is created with it as the
 * consortium administrator, who then registers enterprises, sites and the other users. The
 * setting is ignored once any user exists, so it can stay in place or be removed.
 */
@Singleton
@Startup
@DependsOn("SchemaMigrator")
public class FirstAdministrator {

    private static final Logger LOG = Logger.getLogger(FirstAdministrator.class.getName());
    public static final String USERNAME = "admin";

    @Inject
    @ConfigProperty(name = "civitas.admin.initial-password")
    Optional<String> initialPassword;

    @EJB
    UserService users;

    @EJB
    AuditService audit;

    @PostConstruct
    void createOnFirstStart() {
        if (initialPassword.isEmpty() || initialPassword.get().isBlank() || !users.users(Caller.SYSTEM).isEmpty()) {
            return;
        }
        users.addUser(Caller.SYSTEM, USERNAME, initialPassword.get(), null, Set.of(Role.CONSORTIUM_ADMIN));
        audit.record(AuditService.SYSTEM, "user.created", "user " + USERNAME,
                "first administrator, from civitas.admin.initial-password");
        LOG.info(() -> "Created the first administrator '" + USERNAME + "' from civitas.admin.initial-password");
    }
}
