package org.civitas.infrastructure.persistence;

import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

/** Ready once the schema migrations have run; until then requests would meet missing tables. */
@Readiness
@ApplicationScoped
public class SchemaReadinessCheck implements HealthCheck {

    @Override
    public HealthCheckResponse call() {
        String version = SchemaMigrations.appliedVersion();
        return HealthCheckResponse.named("civitas-schema")
                .status(version != null)
                .withData("version", version == null ? "none" : version)
                .build();
    }
}
