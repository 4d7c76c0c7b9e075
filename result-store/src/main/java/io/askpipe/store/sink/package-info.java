/**
 * The sink: the writer that puts the joined asks into PostgreSQL in batches, the {@code asks} table
 * behind it, the retention purge and the notifications sent when an ask becomes terminal or a
 * webhook becomes due.
 */
package io.askpipe.store.sink;
