/**
 * Ingest's readers of {@code ask.results}: the tail without a consumer group whose terminal results
 * go to whoever waits for their request id ({@code POST /v1/chat/completions}, cancels), and the
 * consumer group that hands every result to a handler at least once (the quotas' tally, then the
 * batches' settlement: ADR 0033), started where the groups it took over from had got to.
 */
package io.askpipe.ingest.results;
