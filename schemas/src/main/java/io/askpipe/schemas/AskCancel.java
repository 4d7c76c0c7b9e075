package io.askpipe.schemas;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.time.Instant;
import java.util.Objects;

/**
 * An ask's owner cancelled it: published by ingest to {@code ask.cancels}, keyed by request id, so
 * that every router worker learns it (docs/adr/0027-cancellation.md). It carries what a worker
 * needs to end the ask {@code cancelled} without its request: the backend and model the ask asked
 * for, and when it was accepted, so that a cancel of an ask past the router's retention is ignored.
 *
 * @param reqId the request id of the cancelled ask
 * @param userId its owner, who cancelled it
 * @param backend the backend the ask asked for, or {@code null} (the router resolves it)
 * @param model the model the ask asked for, or {@code null}
 * @param acceptedAt when ingest accepted the ask
 * @param cancelledAt when ingest took the cancel: the first cancel's moment is the ask's
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record AskCancel(
        String reqId, String userId, String backend, String model, Instant acceptedAt, Instant cancelledAt) {

    public AskCancel {
        Objects.requireNonNull(reqId, "reqId");
        Objects.requireNonNull(userId, "userId");
        Objects.requireNonNull(acceptedAt, "acceptedAt");
        Objects.requireNonNull(cancelledAt, "cancelledAt");
    }
}
