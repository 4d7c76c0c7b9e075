/**
 * The result store: it joins each ask's request, progress and result in PostgreSQL as they arrive,
 * delivers webhooks and serves the read side ({@code GET /v1/ask/{id}}). This package only wires it
 * and shows its face ({@code StoreMain}, {@code StoreService}, {@code StoreConfig}); its stages are
 * the packages {@code sink}, {@code webhook}, {@code api} and {@code golden}, in the order an ask
 * passes them, beside {@code batch} (batch events as webhooks), and they share the leaves {@code
 * view} (what a client sees of an ask) and {@code notify} (the NOTIFY channels).
 */
package io.askpipe.store;
