package io.askpipe.store.batch;

import com.fasterxml.jackson.core.JsonProcessingException;
import io.askpipe.schemas.BatchEvent;
import io.askpipe.schemas.Json;

/**
 * The body of a batch's webhook, in OpenAI's webhook event shape, which the official SDKs parse
 * ({@code UnwrapWebhookEvent}): {@code {"id": "evt_...", "object": "event", "type":
 * "batch.completed", "created_at": 1767225600, "data": {"id": "batch_..."}}}.
 *
 * @param id the event's id, also the webhook's {@code webhook-id}
 * @param object always {@code event}
 * @param type {@code batch.completed}, {@code batch.failed}, {@code batch.expired} or {@code
 *     batch.cancelled}
 * @param createdAt when the batch reached its status, in unix seconds
 * @param data the batch, by its id
 */
record BatchWebhookEvent(String id, String object, String type, long createdAt, Data data) {

    /** The batch an event is about. */
    record Data(String id) {}

    /** The webhook body of {@code event}. */
    static BatchWebhookEvent of(BatchEvent event) {
        return new BatchWebhookEvent(
                event.eventId(), "event", event.type(), event.createdAt().getEpochSecond(), new Data(event.batchId()));
    }

    /** The JSON that is sent, and signed. */
    String json() {
        try {
            return Json.mapper().writeValueAsString(this);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a batch's webhook event always serializes", e);
        }
    }
}
