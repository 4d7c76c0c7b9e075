package io.askpipe.store;

import javax.sql.DataSource;
import org.flywaydb.core.Flyway;

/**
 * The result store's tables: PostgreSQL schema {@code store}, migrated by Flyway from {@code
 * classpath:db/store}. Each service owns a schema and a migration folder of its own, so that they
 * can share a database (and, in the all-in-one process, a classpath) without mixing.
 */
final class StoreSchema {
    static final String LOCATION = "classpath:db/store";
    static final String SCHEMA = "store";

    private StoreSchema() {}

    static void migrate(DataSource dataSource) {
        Flyway.configure()
                .dataSource(dataSource)
                .locations(LOCATION)
                .schemas(SCHEMA)
                .defaultSchema(SCHEMA)
                .load()
                .migrate();
    }
}
