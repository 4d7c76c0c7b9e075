package io.askpipe.schemas;

import java.time.Instant;
import java.util.Objects;

/**
 * A worker has started on an ask: published to {@code ask.progress}, keyed by request id, before
 * the first backend call, so that {@code GET /v1/ask/{id}} can say {@code running}. Advisory: it is
 * sent without waiting for the broker, and a lost one only means the ask shows {@code queued} until
 * its result arrives.
 *
 * @param reqId the request id of the ask
 * @param backend the backend the worker is calling first
 * @param startedAt when the worker started on it
 */
public record AskProgress(String reqId, String backend, Instant startedAt) {

    public AskProgress {
        Objects.requireNonNull(reqId, "reqId");
        Objects.requireNonNull(backend, "backend");
        Objects.requireNonNull(startedAt, "startedAt");
    }
}
