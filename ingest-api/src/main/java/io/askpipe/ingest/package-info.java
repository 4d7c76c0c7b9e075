/**
 * The ingest API: the thin write side of askpipe. It validates an ask, publishes it to {@code
 * ask.requests} keyed by its request id and answers {@code 202 Accepted}; it never calls a
 * backend.
 */
package io.askpipe.ingest;
