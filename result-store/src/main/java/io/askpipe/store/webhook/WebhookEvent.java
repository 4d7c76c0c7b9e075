package io.askpipe.store.webhook;

import com.fasterxml.jackson.core.JsonProcessingException;
import io.askpipe.schemas.Json;
import io.askpipe.store.view.AskView;
import java.time.Instant;

/**
 * The body of a webhook, in the shape the Standard Webhooks specification recommends: {@code
 * {"type": "ask.succeeded", "timestamp": "...", "data": {...}}}, where {@code data} is the ask as
 * {@code GET /v1/ask/{id}} shows it. Its JSON Schema is {@code schemas/webhook-event.schema.json}.
 *
 * @param type {@code ask.} and the terminal status: {@code ask.succeeded}, {@code ask.failed},
 *     {@code ask.expired} or {@code ask.cancelled}
 * @param timestamp when the ask became terminal
 * @param data the ask
 */
public record WebhookEvent(String type, Instant timestamp, AskView data) {

    /** The event for the terminal ask {@code ask}. */
    public static WebhookEvent of(AskView ask) {
        return new WebhookEvent("ask." + ask.status().wireName(), ask.completedAt(), ask);
    }

    /** The JSON that is sent, and signed. */
    public String json() {
        try {
            return Json.mapper().writeValueAsString(this);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a webhook event always serializes", e);
        }
    }
}
