package io.askpipe.store.sink;

/** The result store's PostgreSQL schema, migrated from {@code db/store} by {@code FlywayMigrations}. */
public final class StoreSchema {
    public static final String SCHEMA = "store";

    private StoreSchema() {}
}
