package io.askpipe.store;

/** The result store's PostgreSQL schema, migrated from {@code db/store} by {@code Schemas}. */
final class StoreSchema {
    static final String SCHEMA = "store";

    private StoreSchema() {}
}
