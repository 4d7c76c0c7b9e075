/**
 * The result store: a Kafka Streams application that joins each result back to its ask, writes the
 * joined record to PostgreSQL and serves the read side ({@code GET /v1/ask/{id}}).
 */
package io.askpipe.store;
