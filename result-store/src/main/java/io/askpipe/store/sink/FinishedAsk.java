package io.askpipe.store.sink;

import io.askpipe.schemas.AskStatus;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/**
 * An ask that a write made terminal and visible to its owner: it had its request and its result
 * for the first time, whichever came last.
 *
 * @param requestId the ask's request id
 * @param status its terminal status
 * @param completedAt when its result was reached (the router's clock)
 * @param traceparent the W3C trace context its request came with, if any
 */
public record FinishedAsk(String requestId, AskStatus status, Instant completedAt, Optional<String> traceparent) {

    public FinishedAsk {
        Objects.requireNonNull(requestId, "requestId");
        Objects.requireNonNull(status, "status");
        Objects.requireNonNull(completedAt, "completedAt");
        Objects.requireNonNull(traceparent, "traceparent");
    }
}
