package io.askpipe.schemas;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.charset.StandardCharsets;
import org.apache.kafka.common.errors.SerializationException;
import org.junit.jupiter.api.Test;

class AskErrorTest {
    private static final JsonSerde<AskResult> RESULTS = JsonSerde.of(AskResult.class);

    /** A failed result as a version's router wrote it to {@code ask.results}. */
    private static byte[] failedRecord(String error) {
        return ("""
                {"backend": "openai", "model": "gpt-4o", "usage": {"prompt_tokens": 0, "completion_tokens": 0,
                 "total_tokens": 0}, "latency_ms": 30000, "req_id": "0195f1a8-7b6e-7c3d-9a2b-4f5e6d7c8b9a",
                 "status": "failed", "error": %s, "attempts": 3, "completed_at": "2026-11-26T10:15:30Z"}""").formatted(error).getBytes(StandardCharsets.UTF_8);
    }

    private static JsonNode errorJson(AskResult result) {
        return Json.mapper().valueToTree(result).get("error");
    }

    @Test
    void aRecordOfAnOlderVersionReadsAsItsType() {
        AskResult result = RESULTS.deserialize(
                "ask.results", failedRecord("{\"type\": \"timeout\", \"message\": \"slow\", \"http_status\": 503}"));

        assertThat(result.error()).isEqualTo(new AskError(ErrorType.TIMEOUT, "slow"));
        assertThat(result.error().httpStatus()).isEqualTo(503);
    }

    @Test
    void theWireFormIsTypeMessageAndStatus() throws Exception {
        AskError error = new AskError(ErrorType.RATE_LIMITED, "openai is rate limiting (HTTP 429)");

        JsonNode json = Json.mapper().valueToTree(error);

        assertThat(json.properties()).hasSize(3);
        assertThat(json.get("type").asText()).isEqualTo("rate_limited");
        assertThat(json.get("message").asText()).isEqualTo("openai is rate limiting (HTTP 429)");
        assertThat(json.get("http_status").asInt()).isEqualTo(429);
        assertThat(Json.mapper().treeToValue(json, AskError.class)).isEqualTo(error);
    }

    @Test
    void aTypeOfANewerVersionIsKeptAsWrittenNotRefused() throws Exception {
        byte[] record =
                failedRecord("{\"type\": \"quota_exhausted\", \"message\": \"out of credit\", \"http_status\": 402}");

        AskResult result = RESULTS.deserialize("ask.results", record);

        assertThat(result.error().type()).isEqualTo(new AskError.UnknownType("quota_exhausted", 402));
        assertThat(result.error().httpStatus()).isEqualTo(402);
        assertThat(errorJson(result))
                .as("written back unchanged")
                .isEqualTo(Json.mapper().readTree(record).get("error"));
    }

    @Test
    void aKnownNameWithAnotherStatusIsKeptAsWritten() {
        AskResult result = RESULTS.deserialize(
                "ask.results", failedRecord("{\"type\": \"timeout\", \"message\": \"slow\", \"http_status\": 504}"));

        assertThat(result.error().type()).isEqualTo(new AskError.UnknownType("timeout", 504));
        assertThat(errorJson(result).get("http_status").asInt()).isEqualTo(504);
        assertThatThrownBy(() -> new AskError.UnknownType("timeout", 503))
                .as("a known pair is always its ErrorType")
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void anErrorWithoutATypeOrWithAStatusThatIsNotAnErrorIsUnreadable() {
        assertThatThrownBy(() -> RESULTS.deserialize(
                        "ask.results", failedRecord("{\"message\": \"slow\", \"http_status\": 503}")))
                .isInstanceOf(SerializationException.class);
        assertThatThrownBy(() -> RESULTS.deserialize(
                        "ask.results",
                        failedRecord("{\"type\": \"quota_exhausted\", \"message\": \"m\", \"http_status\": 200}")))
                .isInstanceOf(SerializationException.class);
    }
}
