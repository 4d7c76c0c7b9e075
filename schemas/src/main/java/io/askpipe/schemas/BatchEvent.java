package io.askpipe.schemas;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.time.Instant;
import java.util.Objects;
import java.util.Set;

/**
 * A batch reached a terminal status: published by ingest to {@code ask.batch.events}, keyed by
 * batch id, for the result store to deliver as a signed webhook in OpenAI's event shape ({@code
 * {"id": "evt_...", "object": "event", "type": "batch.completed", "created_at", "data": {"id"}}})
 * to the batch's callback. A batch has one terminal status, so a batch has one event: its id is
 * the webhook's stable {@code webhook-id}, however often the record is read.
 *
 * @param eventId the event's id, {@code evt_} and 32 hex digits
 * @param type {@code batch.completed}, {@code batch.failed}, {@code batch.expired} or {@code
 *     batch.cancelled}
 * @param batchId the batch's id
 * @param userId the batch's owner, whose signing secrets sign the webhook
 * @param callbackUrl where to send it
 * @param createdAt when the batch reached the status
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record BatchEvent(
        String eventId, String type, String batchId, String userId, String callbackUrl, Instant createdAt) {

    /** The event types, one per terminal status of a batch. */
    public static final Set<String> TYPES =
            Set.of("batch.completed", "batch.failed", "batch.expired", "batch.cancelled");

    public BatchEvent {
        Objects.requireNonNull(eventId, "eventId");
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(batchId, "batchId");
        Objects.requireNonNull(userId, "userId");
        Objects.requireNonNull(callbackUrl, "callbackUrl");
        Objects.requireNonNull(createdAt, "createdAt");
        if (!TYPES.contains(type)) {
            throw new IllegalArgumentException("not a batch event type: " + type);
        }
    }
}
