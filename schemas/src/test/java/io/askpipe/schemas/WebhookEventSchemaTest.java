package io.askpipe.schemas;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.Test;

/** The schema of a webhook's body takes the whole reply of a result, and nothing it does not describe. */
class WebhookEventSchemaTest {
    private static final String EVENT = """
            {"type": "ask.succeeded", "timestamp": "2026-11-26T10:15:31Z",
             "data": {"request_id": "0195f1a8-7b6e-7c3d-9a2b-4f5e6d7c8b9a", "status": "succeeded",
                      "accepted_at": "2026-11-26T10:15:30Z", "completed_at": "2026-11-26T10:15:31Z",
                      "attempts": 1,
                      "result": {"backend": "openai", "model": "gpt-4o-mini", "answer": "",
                                 "usage": {"prompt_tokens": 40, "completion_tokens": 12, "total_tokens": 52,
                                           "prompt_tokens_details": {"cached_tokens": 32},
                                           "completion_tokens_details": {"reasoning_tokens": 4}},
                                 "latency_ms": 812, "req_id": "0195f1a8-7b6e-7c3d-9a2b-4f5e6d7c8b9a",
                                 "finish_reason": "tool_calls",
                                 "message": {"role": "assistant",
                                             "tool_calls": [{"id": "call_1", "type": "function",
                                                             "function": {"name": "get_weather",
                                                                          "arguments": "{\\"city\\":\\"Paris\\"}"}}]},
                                 "system_fingerprint": "fp_44709d6fcb"}}}""";

    @Test
    void aResultWithItsWholeReplyMatches() throws Exception {
        JsonNode event = Json.mapper().readTree(EVENT);

        assertThat(JsonSchemaFiles.schema("webhook-event.schema.json").validate(event))
                .isEmpty();
    }

    @Test
    void aMessageNotTheAssistantsAndAnUnknownReasonDoNot() throws Exception {
        ObjectNode event = (ObjectNode) Json.mapper().readTree(EVENT);
        ObjectNode result = (ObjectNode) event.at("/data/result");
        ((ObjectNode) result.get("message")).put("role", "user");
        result.put("finish_reason", "bored");

        assertThat(JsonSchemaFiles.schema("webhook-event.schema.json").validate(event))
                .extracting(error -> error.getInstanceLocation().toString())
                .contains("$.data.result.message.role", "$.data.result.finish_reason");
    }
}
