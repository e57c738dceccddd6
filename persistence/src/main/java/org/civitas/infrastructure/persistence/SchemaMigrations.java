package org.civitas.infrastructure.persistence;

import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.output.MigrateResult;

import javax.sql.DataSource;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Brings the database schema to the newest version with Flyway (migrations in
 * {@code db/migration} of this jar), on H2 and PostgreSQL alike.
 */
public final class SchemaMigrations {

    private static final AtomicReference<String> APPLIED_VERSION = new AtomicReference<>();

    private SchemaMigrations() {
    }

    /**
     * @param schema the schema to migrate (created if missing), or blank for the connection's default
     * @return the schema version now in place
     */
    public static String migrate(DataSource dataSource, String schema) {
        var config = Flyway.configure(SchemaMigrations.class.getClassLoader())
                .dataSource(dataSource)
                .locations("classpath:db/migration");
        if (schema != null && !schema.isBlank()) {
            config = config.schemas(schema).createSchemas(true);
        }
        MigrateResult result = config.load().migrate();
        String version = result.targetSchemaVersion != null ? result.targetSchemaVersion : result.initialSchemaVersion;
        APPLIED_VERSION.set(version);
        return version;
    }

    /** The schema version the last migration left in place, or null before the first. */
    public static String appliedVersion() {
        return APPLIED_VERSION.get();
    }
}
