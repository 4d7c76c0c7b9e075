/**
 * The sink: the writer that reads each ask's request, progress and result from their topics and
 * joins them in the {@code asks} table with forward-only upserts, a poll at a time (with the webhook
 * each terminal ask owes), and the retention purge.
 */
package io.askpipe.store.sink;
