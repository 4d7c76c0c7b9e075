/**
 * The result store: a Kafka Streams application that joins each result back to its ask, writes the
 * joined record to PostgreSQL, delivers webhooks and serves the read side ({@code GET
 * /v1/ask/{id}}). This package only wires it and shows its face ({@code StoreMain}, {@code
 * StoreService}, {@code StoreConfig}); its stages are the packages {@code join}, {@code sink},
 * {@code webhook}, {@code api} and {@code golden}, in the order an ask passes them, and they share
 * the leaves {@code view} (what a client sees of an ask) and {@code notify} (the NOTIFY channels).
 */
package io.askpipe.store;
