package io.askpipe.ingest.batch.store;

import io.askpipe.ingest.api.RequestIds;
import java.time.Clock;

/**
 * The ids of a batch's things, each a prefix and 32 hex digits as OpenAI writes them: {@code
 * batch_} for a batch and {@code evt_} for its event (of fresh UUIDv7s, so that they sort by
 * creation), {@code batch_req_} for a line's entry in the output (of its ask's request id).
 */
public final class BatchIds {
    private BatchIds() {}

    /** A new batch id. */
    public static String batch(Clock clock) {
        return "batch_" + hex(RequestIds.next(clock).toString());
    }

    /** A new event id. */
    public static String event(Clock clock) {
        return "evt_" + hex(RequestIds.next(clock).toString());
    }

    /** The id of the output or error entry of the line whose ask is {@code requestId}. */
    public static String request(String requestId) {
        return "batch_req_" + hex(requestId);
    }

    private static String hex(String uuid) {
        return uuid.replace("-", "");
    }
}
