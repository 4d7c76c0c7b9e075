/**
 * How ingest accepts an ask, without its HTTP server: its idempotency ledger and its producer of
 * asks, opened on the production classes with a deployment's default settings, for the benchmarks
 * that measure that work alone ({@code CostModel}'s steps, {@code AskLoad}'s durable-work baseline).
 */
package io.askpipe.bench.accept;
