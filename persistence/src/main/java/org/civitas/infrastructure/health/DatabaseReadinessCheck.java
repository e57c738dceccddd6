package org.civitas.infrastructure.health;

import jakarta.enterprise.context.ApplicationScoped;
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

    /** The datasource the server configuration scripts define (a global name, not java:comp). */
    static final String DATASOURCE = "java:jboss/datasources/CivitasDS";

    @Override
    public HealthCheckResponse call() {
        try {
            DataSource ds = InitialContext.doLookup(DATASOURCE);
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
