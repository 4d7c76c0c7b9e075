/**
 * How a drill checks what happened: the evidence read from the store, the topics, the LLM, the
 * receiver, the batch's files and the services' logs or {@code /metrics}; the invariants over it,
 * as data; the fault ledger; and the replay.
 */
package io.askpipe.drill.check;
