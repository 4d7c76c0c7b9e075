package io.askpipe.schemas;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.networknt.schema.JsonSchema;
import java.time.Instant;
import org.apache.kafka.common.errors.SerializationException;
import org.junit.jupiter.api.Test;

class SchemasTest {
    private static final Instant NOW = Instant.parse("2026-11-26T10:15:30.123Z");
    private static final String ID = "0195f1a8-7b6e-7c3d-9a2b-4f5e6d7c8b9a";

    private static JsonSchema schema(String name) throws Exception {
        return JsonSchemaFiles.schema(name);
    }

    private static JsonNode tree(Object value) {
        return Json.mapper().valueToTree(value);
    }

    @Test
    void askRequestRoundTripsAndMatchesItsSchema() throws Exception {
        AskRequest request = new AskRequest(
                ID, "alice", "key-1", "Why is the sky blue?", "gpt-4o", null, NOW, "https://hooks.example.com/a?b=1");
        byte[] bytes = JsonSerde.of(AskRequest.class).serialize("t", request);

        assertThat(JsonSerde.of(AskRequest.class).deserialize("t", bytes)).isEqualTo(request);
        JsonNode json = Json.mapper().readTree(bytes);
        assertThat(json.get("request_id").asText()).isEqualTo(ID);
        assertThat(json.get("accepted_at").asText()).isEqualTo("2026-11-26T10:15:30.123Z");
        assertThat(json.get("callback_url").asText()).isEqualTo("https://hooks.example.com/a?b=1");
        assertThat(json.has("backend")).as("null fields are left out").isFalse();
        assertThat(schema("ask-request.schema.json").validate(json)).isEmpty();
        assertThat(request.scope()).isEqualTo("alice:key-1");
    }

    @Test
    void progressRoundTripsAndMatchesItsSchema() throws Exception {
        AskProgress progress = new AskProgress(ID, "openai", NOW);
        byte[] bytes = JsonSerde.of(AskProgress.class).serialize("t", progress);

        assertThat(JsonSerde.of(AskProgress.class).deserialize("t", bytes)).isEqualTo(progress);
        assertThat(schema("ask-progress.schema.json").validate(Json.mapper().readTree(bytes)))
                .isEmpty();
    }

    @Test
    void succeededResultCarriesTheStandardEnvelope() throws Exception {
        AskResult result = AskResult.succeeded(ID, "dryrun", "dryrun-echo", "hi", Usage.of(3, 1), 12, 1, NOW);
        JsonNode json = tree(result);

        assertThat(json.fieldNames())
                .toIterable()
                .contains("backend", "model", "answer", "usage", "latency_ms", "req_id")
                .doesNotContain("error");
        assertThat(json.get("usage").get("total_tokens").asInt()).isEqualTo(4);
        assertThat(json.get("status").asText()).isEqualTo("succeeded");
        assertThat(schema("ask-result.schema.json").validate(json)).isEmpty();
        assertThat(Json.mapper().treeToValue(json, AskResult.class)).isEqualTo(result);
    }

    @Test
    void aResultSaysHowLongItWaitedForPermitsOnlyWhenItWaited() throws Exception {
        AskResult waited = AskResult.succeeded(ID, "openai", "gpt-4o", "hi", Usage.of(3, 1), 12, 1, NOW)
                .withWaitedMs(1_500);
        JsonNode json = tree(waited);

        assertThat(json.get("waited_ms").asLong()).isEqualTo(1_500);
        assertThat(schema("ask-result.schema.json").validate(json)).isEmpty();
        assertThat(Json.mapper().treeToValue(json, AskResult.class)).isEqualTo(waited);

        AskResult notWaited = waited.withWaitedMs(0);
        assertThat(notWaited.waitedMs()).isNull();
        assertThat(tree(notWaited).has("waited_ms"))
                .as("absent when it did not wait")
                .isFalse();
        assertThat(Json.mapper().treeToValue(tree(notWaited), AskResult.class)).isEqualTo(notWaited);
    }

    @Test
    void failedResultMatchesItsSchemaAndNeedsAnError() throws Exception {
        AskResult failed = AskResult.failed(
                ID, "openai", "gpt-4o", new AskError(ErrorType.TIMEOUT, "took too long"), 30_000, 1, NOW);
        assertThat(schema("ask-result.schema.json").validate(tree(failed))).isEmpty();

        JsonNode withoutError = tree(failed);
        ((com.fasterxml.jackson.databind.node.ObjectNode) withoutError).remove("error");
        assertThat(schema("ask-result.schema.json").validate(withoutError)).isNotEmpty();
        assertThatThrownBy(() -> new AskResult("x", null, null, Usage.NONE, 0, ID, AskStatus.FAILED, null, 0, NOW))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void expiredResultCarriesDeadlineExceededAndMatchesItsSchema() throws Exception {
        AskResult expired = AskResult.expired(ID, "dryrun", null, "the deadline passed", 0, 0, NOW);

        assertThat(expired.status()).isEqualTo(AskStatus.EXPIRED);
        assertThat(expired.status().terminal()).isTrue();
        assertThat(expired.error().type()).isEqualTo(ErrorType.DEADLINE_EXCEEDED);
        assertThat(expired.error().httpStatus()).isEqualTo(504);
        JsonNode json = tree(expired);
        assertThat(json.get("status").asText()).isEqualTo("expired");
        assertThat(schema("ask-result.schema.json").validate(json)).isEmpty();
        assertThat(Json.mapper().treeToValue(json, AskResult.class)).isEqualTo(expired);

        JsonNode withoutError = tree(expired);
        ((com.fasterxml.jackson.databind.node.ObjectNode) withoutError).remove("error");
        assertThat(schema("ask-result.schema.json").validate(withoutError)).isNotEmpty();
        assertThatThrownBy(() -> new AskResult("x", null, null, Usage.NONE, 0, ID, AskStatus.EXPIRED, null, 0, NOW))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void theTerminalStatusesAreThoseAnAskNeverLeaves() {
        assertThat(AskStatus.TERMINAL)
                .containsExactly(AskStatus.SUCCEEDED, AskStatus.FAILED, AskStatus.EXPIRED, AskStatus.CANCELLED);
        assertThat(AskStatus.terminalWireNames()).containsExactly("succeeded", "failed", "expired", "cancelled");
        assertThat(AskStatus.fromWire("expired")).isEqualTo(AskStatus.EXPIRED);
        assertThat(AskStatus.SUCCEEDED.unanswered()).isFalse();
        assertThat(AskStatus.QUEUED.unanswered()).isFalse();
        assertThat(AskStatus.FAILED.unanswered()).isTrue();
        assertThat(AskStatus.EXPIRED.unanswered()).isTrue();
    }

    @Test
    void everyErrorTypeAndOneOfANewerVersionMatchTheResultSchema() throws Exception {
        var types = new java.util.ArrayList<AskError.Type>(java.util.List.of(ErrorType.values()));
        types.add(new AskError.UnknownType("quota_exhausted", 402));
        for (AskError.Type type : types) {
            AskResult failed = AskResult.failed(ID, "openai", "gpt-4o", new AskError(type, "failed"), 30_000, 1, NOW);
            assertThat(schema("ask-result.schema.json").validate(tree(failed)))
                    .as(type.wireName())
                    .isEmpty();
        }
    }

    @Test
    void problemMatchesItsSchema() throws Exception {
        Problem problem = new Problem(
                "https://askpipe.io/problems/validation-failed",
                "Validation failed",
                422,
                "/prompt is required",
                "/v1/ask",
                "r1",
                java.util.List.of(new Problem.FieldError("/prompt", "is required")));
        assertThat(schema("problem.schema.json").validate(tree(problem))).isEmpty();
    }

    @Test
    void unreadableRecordFailsWithSerializationException() {
        assertThatThrownBy(() -> JsonSerde.of(AskRequest.class).deserialize("ask.requests", "{not json".getBytes()))
                .isInstanceOf(SerializationException.class)
                .hasMessageContaining("ask.requests");
        assertThatThrownBy(() -> JsonSerde.of(AskRequest.class).deserialize("ask.requests", "{}".getBytes()))
                .as("required fields are enforced on read")
                .isInstanceOf(SerializationException.class);
    }

    @Test
    void topicsAreCompactedAndPrefixed() {
        Topics topics = Topics.withPrefix("t1.");
        assertThat(topics.requests().name()).isEqualTo("t1.ask.requests");
        assertThat(topics.results().name()).isEqualTo("t1.ask.results");
        assertThat(topics.requests().cleanupPolicy()).isEqualTo("compact");
        assertThat(topics.results().cleanupPolicy()).isEqualTo("compact");
        assertThat(topics.requestsDeadLetter().name()).isEqualTo("t1.ask.requests.dlq");
        assertThat(topics.requestsDeadLetter().cleanupPolicy()).isEqualTo("delete");
        assertThat(Topics.ofDefaults().all())
                .extracting(Topic::name)
                .containsExactly(
                        "ask.requests",
                        "ask.requests.batch",
                        "ask.results",
                        "ask.progress",
                        "ask.cancels",
                        "ask.batch.events",
                        "ask.requests.dlq",
                        "ask.store.dlq");
        assertThat(topics.batchRequests().name()).isEqualTo("t1.ask.requests.batch");
        assertThat(topics.batchRequests().configs()).isEqualTo(topics.requests().configs());
        assertThat(topics.requests(Priority.BATCH)).isSameAs(topics.batchRequests());
        assertThat(topics.requests(Priority.INTERACTIVE)).isSameAs(topics.requests());
        assertThat(topics.allRequestNames()).containsExactly("t1.ask.requests", "t1.ask.requests.batch");
        assertThat(topics.progress().name()).isEqualTo("t1.ask.progress");
        assertThat(topics.progress().cleanupPolicy()).isEqualTo("delete");
        assertThat(topics.cancels().name()).isEqualTo("t1.ask.cancels");
        assertThat(topics.cancels().cleanupPolicy()).isEqualTo("compact");
    }

    @Test
    void cancelRoundTripsAndMatchesItsSchema() throws Exception {
        AskCancel cancel = new AskCancel(ID, "alice", "dryrun", null, NOW, NOW.plusSeconds(1));
        byte[] bytes = JsonSerde.of(AskCancel.class).serializer().serialize("ask.cancels", cancel);
        JsonNode json = Json.mapper().readTree(bytes);
        assertThat(json.has("model")).as("an absent model is left out").isFalse();
        assertThat(json.get("cancelled_at").asText())
                .isEqualTo(NOW.plusSeconds(1).toString());
        assertThat(schema("ask-cancel.schema.json").validate(json)).isEmpty();
        assertThat(JsonSerde.of(AskCancel.class).deserializer().deserialize("ask.cancels", bytes))
                .isEqualTo(cancel);
    }

    @Test
    void batchEventRoundTripsAndMatchesItsSchema() throws Exception {
        BatchEvent event = new BatchEvent(
                "evt_0123456789abcdef0123456789abcdef",
                "batch.completed",
                "batch_0123456789abcdef",
                "alice",
                "https://hooks.example.com/batches",
                NOW);
        byte[] bytes = JsonSerde.of(BatchEvent.class).serializer().serialize("ask.batch.events", event);
        JsonNode json = Json.mapper().readTree(bytes);
        assertThat(json.get("batch_id").asText()).isEqualTo("batch_0123456789abcdef");
        assertThat(schema("batch-event.schema.json").validate(json)).isEmpty();
        assertThat(JsonSerde.of(BatchEvent.class).deserializer().deserialize("ask.batch.events", bytes))
                .isEqualTo(event);
        assertThat(Topics.withPrefix("t1.").batchEvents().name()).isEqualTo("t1.ask.batch.events");
        assertThatThrownBy(() -> new BatchEvent(
                        "evt_0123456789abcdef0123456789abcdef", "batch.done", "batch_1", "alice", "https://x", NOW))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void cancelledResultCarriesItsErrorAndMatchesItsSchema() throws Exception {
        AskResult cancelled = AskResult.cancelled(ID, "dryrun", null, "cancelled by its owner", 0, 0, NOW);

        assertThat(cancelled.status()).isEqualTo(AskStatus.CANCELLED);
        assertThat(cancelled.status().terminal()).isTrue();
        assertThat(cancelled.status().unanswered()).isTrue();
        assertThat(cancelled.error().type()).isEqualTo(ErrorType.CANCELLED);
        assertThat(cancelled.error().httpStatus()).isEqualTo(499);
        assertThat(ErrorType.CANCELLED.retriable()).isFalse();
        assertThat(cancelled.completedAt()).isEqualTo(NOW);
        JsonNode json = tree(cancelled);
        assertThat(json.get("status").asText()).isEqualTo("cancelled");
        assertThat(schema("ask-result.schema.json").validate(json)).isEmpty();
        assertThat(Json.mapper().treeToValue(json, AskResult.class)).isEqualTo(cancelled);

        JsonNode withoutError = tree(cancelled);
        ((ObjectNode) withoutError).remove("error");
        assertThat(schema("ask-result.schema.json").validate(withoutError)).isNotEmpty();
    }
}
