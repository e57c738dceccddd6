package org.civitas.infrastructure.health;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

import javax.naming.InitialContext;
import javax.sql.DataSource;
import java.sql.Connection;

/** Ready when a connection from the application's datasource answers within two seconds. */
@Readiness
@ApplicationScoped
public class DatabaseReadinessCheck implements HealthCheck {

    /**
     * A global name of the application's datasource, not java:comp: WildFly runs health checks on
     * a management thread that has no component naming context. Payara's scripts set
     * {@code jdbc/__default}.
     */
    @Inject
    @ConfigProperty(name = "civitas.health.datasource", defaultValue = "java:jboss/datasources/CivitasDS")
    String datasource;

    @Override
    public HealthCheckResponse call() {
        try {
            DataSource ds = InitialContext.doLookup(datasource);
            try (Connection c = ds.getConnection()) {
                boolean valid = c.isValid(2);
                return HealthCheckResponse.named("civitas-database").status(valid)
                        .withData("database", c.getMetaData().getDatabaseProductName()).build();
            }
        } catch (Exception e) {
            return HealthCheckResponse.named("civitas-database").down().withData("error", String.valueOf(e.getMessage())).build();
        }
    }
}
