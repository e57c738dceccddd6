package org.civitas.federation.infrastructure;

import jakarta.annotation.PostConstruct;
import jakarta.annotation.Resource;
import jakarta.ejb.Singleton;
import jakarta.ejb.Startup;
import jakarta.ejb.TransactionAttribute;
import jakarta.ejb.TransactionAttributeType;
import jakarta.inject.Inject;
import org.civitas.infrastructure.persistence.SchemaMigrations;

import javax.sql.DataSource;
import java.util.logging.Logger;

/** Runs the schema migrations when the application starts, before anything else touches the database. */
@Singleton
@Startup
public class SchemaMigrator {

    private static final Logger LOG = Logger.getLogger(SchemaMigrator.class.getName());

    @Resource(lookup = "java:comp/DefaultDataSource")
    DataSource dataSource;

    @Inject
    CivitasSettings settings;

    // Flyway manages its own connections and autocommit, which a managed transaction forbids.
    @PostConstruct
    @TransactionAttribute(TransactionAttributeType.NOT_SUPPORTED)
    void migrate() {
        String version = SchemaMigrations.migrate(dataSource, settings.dbSchema().orElse(null));
        LOG.info(() -> "Civitas schema at version " + version + "; role " + settings.role());
    }
}
