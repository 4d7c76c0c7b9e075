package io.askpipe.common.db;

import javax.sql.DataSource;
import org.flywaydb.core.Flyway;

/**
 * Applies a service's Flyway migrations. Each service owns one PostgreSQL schema and keeps its
 * scripts in {@code db/<schema>} on its classpath, so services can share a database (and, in the
 * all-in-one process, a classpath) without their migrations mixing.
 */
public final class FlywayMigrations {
    private FlywayMigrations() {}

    /** Migrates {@code schema} from {@code classpath:db/<schema>}, creating the schema if needed. */
    public static void migrate(DataSource dataSource, String schema) {
        Flyway.configure()
                .dataSource(dataSource)
                .locations("classpath:db/" + schema)
                .schemas(schema)
                .defaultSchema(schema)
                .load()
                .migrate();
    }
}
