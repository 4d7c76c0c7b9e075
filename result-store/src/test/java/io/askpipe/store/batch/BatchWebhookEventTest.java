package io.askpipe.store.batch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.openai.core.JsonValue;
import com.openai.core.ObjectMappers;
import com.openai.models.webhooks.BatchCancelledWebhookEvent;
import com.openai.models.webhooks.BatchCompletedWebhookEvent;
import com.openai.models.webhooks.BatchExpiredWebhookEvent;
import com.openai.models.webhooks.BatchFailedWebhookEvent;
import com.openai.models.webhooks.UnwrapWebhookEvent;
import io.askpipe.schemas.BatchEvent;
import io.askpipe.schemas.Json;
import java.time.Instant;
import java.util.List;
import org.apache.kafka.common.errors.SerializationException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class BatchWebhookEventTest {
    private static final Instant AT = Instant.parse("2026-12-07T12:34:56.789Z");
    private static final String EVENT_ID = "evt_0193a1b2c3d47e8f9a0b1c2d3e4f5a6b";
    private static final String BATCH_ID = "batch_0193a1b2c3d47e8f9a0b1c2d3e4f5a6b";

    private static BatchEvent event(String type) {
        return new BatchEvent(EVENT_ID, type, BATCH_ID, "alice", "https://hooks.example.com/batches", AT);
    }

    @ParameterizedTest
    @ValueSource(strings = {"batch.completed", "batch.failed", "batch.expired", "batch.cancelled"})
    void isOpenAisWebhookEventFieldByField(String type) throws Exception {
        JsonNode json = Json.mapper().readTree(BatchWebhookEvent.of(event(type)).json());

        assertThat(json.properties())
                .extracting(java.util.Map.Entry::getKey)
                .containsExactlyInAnyOrder("id", "object", "type", "created_at", "data");
        assertThat(json.get("id").asText()).isEqualTo(EVENT_ID);
        assertThat(json.get("object").asText()).isEqualTo("event");
        assertThat(json.get("type").asText()).isEqualTo(type);
        assertThat(json.get("created_at").isIntegralNumber()).as("unix seconds").isTrue();
        assertThat(json.get("created_at").asLong()).isEqualTo(AT.getEpochSecond());
        assertThat(json.get("data").properties())
                .extracting(java.util.Map.Entry::getKey)
                .containsExactly("id");
        assertThat(json.get("data").get("id").asText()).isEqualTo(BATCH_ID);
    }

    @Test
    void eachTypeParsesAsItsModelOfTheOfficialSdk() throws Exception {
        UnwrapWebhookEvent completed = parse("batch.completed");
        BatchCompletedWebhookEvent c = completed.asBatchCompleted().validate();
        assertThat(c.id()).isEqualTo(EVENT_ID);
        assertThat(c.createdAt()).isEqualTo(AT.getEpochSecond());
        assertThat(c.data().id()).isEqualTo(BATCH_ID);
        assertThat(c.object_()).contains(BatchCompletedWebhookEvent.Object.EVENT);
        assertThat(c._type()).isEqualTo(JsonValue.from("batch.completed"));

        BatchFailedWebhookEvent f = parse("batch.failed").asBatchFailed().validate();
        assertThat(f.data().id()).isEqualTo(BATCH_ID);
        BatchExpiredWebhookEvent e = parse("batch.expired").asBatchExpired().validate();
        assertThat(e.data().id()).isEqualTo(BATCH_ID);
        BatchCancelledWebhookEvent x =
                parse("batch.cancelled").asBatchCancelled().validate();
        assertThat(x.data().id()).isEqualTo(BATCH_ID);
        assertThat(List.of(completed.isBatchFailed(), completed.isBatchExpired(), completed.isBatchCancelled()))
                .containsOnly(false);
    }

    private static UnwrapWebhookEvent parse(String type) throws Exception {
        return ObjectMappers.jsonMapper()
                .readValue(BatchWebhookEvent.of(event(type)).json(), UnwrapWebhookEvent.class);
    }

    @Test
    void anEventTheOutboxCannotHoldIsUnreadable() {
        BatchEvent fine = event("batch.completed");
        assertThat(BatchEventWriter.fitting(fine, "t")).isSameAs(fine);
        for (BatchEvent wrong : List.of(
                new BatchEvent(
                        "msg_0193a1b2-c3d4-7e8f-9a0b-1c2d3e4f5a6b",
                        "batch.failed",
                        BATCH_ID,
                        "alice",
                        "https://h/x",
                        AT),
                new BatchEvent("evt_" + "a".repeat(61), "batch.failed", BATCH_ID, "alice", "https://h/x", AT),
                new BatchEvent(EVENT_ID, "batch.failed", "batch_" + "b".repeat(59), "alice", "https://h/x", AT),
                new BatchEvent(EVENT_ID, "batch.failed", BATCH_ID, "u".repeat(129), "https://h/x", AT),
                new BatchEvent(EVENT_ID, "batch.failed", BATCH_ID, "alice", "https://h/" + "p".repeat(2039), AT))) {
            assertThatThrownBy(() -> BatchEventWriter.fitting(wrong, "t"))
                    .as("%s", wrong)
                    .isInstanceOf(SerializationException.class)
                    .hasMessageContaining("the outbox cannot hold");
        }
        assertThat(BatchEventWriter.fitting(
                        new BatchEvent(
                                "evt_" + "a".repeat(60),
                                "batch.failed",
                                "batch_" + "b".repeat(58),
                                "u".repeat(128),
                                "https://h/" + "p".repeat(2038),
                                AT),
                        "t"))
                .as("every field at its limit")
                .isNotNull();
    }
}
