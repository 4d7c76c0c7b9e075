/**
 * The results a drop-in {@code POST /v1/chat/completions} waits for: {@code ask.results} tailed
 * without a consumer group, each terminal result handed to whoever waits for its request id.
 */
package io.askpipe.ingest.results;
