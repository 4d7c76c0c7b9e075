/**
 * The sink: the writer that puts the joined asks into PostgreSQL in batches, the {@code asks} table
 * behind it (with the webhook each terminal ask owes), and the retention purge.
 */
package io.askpipe.store.sink;
