package io.askpipe.schemas;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonInclude;
import java.time.Instant;
import java.util.Objects;

/**
 * An accepted ask, as published to {@code ask.requests}. The record key is {@link #requestId()}
 * (records written before it was, are keyed by {@link #scope()}): a replay of the compacted topic
 * yields every distinct accepted ask once. Readers take what they need from the value, never from
 * the key.
 *
 * @param requestId server-assigned id (a UUID), the key of the ask's result
 * @param userId the caller the ask belongs to
 * @param idempotencyKey the client's {@code Idempotency-Key} (or one the server generated)
 * @param prompt the text to send to the model
 * @param model the model the client asked for, or {@code null} for the backend's default
 * @param backend an explicit backend name, or {@code null} to route by model
 * @param acceptedAt when ingest accepted the ask
 * @param callbackUrl where to POST the signed result once the ask is terminal, or {@code null}
 * @param traceparent the W3C trace context the client sent with the ask, or {@code null}; it is
 *     logged with the ask at every hop and sent on as the {@code traceparent} Kafka header
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record AskRequest(
        String requestId,
        String userId,
        String idempotencyKey,
        String prompt,
        String model,
        String backend,
        Instant acceptedAt,
        String callbackUrl,
        String traceparent) {

    public AskRequest {
        Objects.requireNonNull(requestId, "requestId");
        Objects.requireNonNull(userId, "userId");
        Objects.requireNonNull(idempotencyKey, "idempotencyKey");
        Objects.requireNonNull(prompt, "prompt");
        Objects.requireNonNull(acceptedAt, "acceptedAt");
    }

    /** An ask without a trace context. */
    public AskRequest(
            String requestId,
            String userId,
            String idempotencyKey,
            String prompt,
            String model,
            String backend,
            Instant acceptedAt,
            String callbackUrl) {
        this(requestId, userId, idempotencyKey, prompt, model, backend, acceptedAt, callbackUrl, null);
    }

    /** An ask without a callback or a trace context. */
    public AskRequest(
            String requestId,
            String userId,
            String idempotencyKey,
            String prompt,
            String model,
            String backend,
            Instant acceptedAt) {
        this(requestId, userId, idempotencyKey, prompt, model, backend, acceptedAt, null, null);
    }

    /**
     * The idempotency scope, {@code userId + ":" + idempotencyKey}: what the ingest ledger is keyed
     * by, and the key of records on ask.requests written before they were keyed by request id.
     */
    @JsonIgnore
    public String scope() {
        return scope(userId, idempotencyKey);
    }

    /** The idempotency scope of {@code idempotencyKey} for {@code userId}. */
    public static String scope(String userId, String idempotencyKey) {
        return userId + ":" + idempotencyKey;
    }
}
