package io.askpipe.store;

import javax.sql.DataSource;
import org.flywaydb.core.Flyway;

/**
 * The result store's tables, migrated by Flyway from {@code classpath:db/store} with a history table
 * of their own, so that other services' migrations can live in the same database (and on the same
 * classpath in the all-in-one process) without mixing.
 */
final class StoreSchema {
    static final String LOCATION = "classpath:db/store";
    static final String HISTORY_TABLE = "flyway_history_store";

    private StoreSchema() {}

    static void migrate(DataSource dataSource) {
        Flyway.configure()
                .dataSource(dataSource)
                .locations(LOCATION)
                .table(HISTORY_TABLE)
                .load()
                .migrate();
    }
}
