/**
 * Ingest's readers of {@code ask.results}: the tail without a consumer group whose terminal results
 * go to whoever waits for their request id ({@code POST /v1/chat/completions}, cancels), and the
 * consumer groups that hand every result to a handler at least once (the quotas, the batches).
 */
package io.askpipe.ingest.results;
