package io.askpipe.store.sink;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.askpipe.schemas.AskError;
import io.askpipe.schemas.AskProgress;
import io.askpipe.schemas.AskRequest;
import io.askpipe.schemas.AskResult;
import io.askpipe.schemas.Priority;
import io.askpipe.schemas.Topics;
import io.askpipe.schemas.Usage;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import org.apache.kafka.common.errors.SerializationException;
import org.junit.jupiter.api.Test;

class AskPartDeserializerTest {
    private static final Instant T0 = Instant.parse("2026-11-26T12:00:00Z");
    private final Topics topics = Topics.withPrefix("t.");
    private final AskPartDeserializer parts = new AskPartDeserializer(topics);

    private static AskRequest ask(String id) {
        return new AskRequest(id, "alice", "key-" + id, "prompt " + id, null, null, T0);
    }

    private static byte[] bytes(String json) {
        return json.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void readsEachTopicAsThePartItCarriesWithItsRequestId() {
        AskRequest ask = ask("r1");
        AskRequest batch = ask("b1").withPriority(Priority.BATCH);
        AskProgress started = new AskProgress("r1", "openai", T0);
        AskResult result = AskResult.succeeded("r1", "dryrun", "m", "hello", Usage.of(1, 1), 3, 1, T0);

        assertThat(parts.deserialize(
                        topics.requests().name(),
                        topics.requests().valueSerde().serializer().serialize("x", ask)))
                .isEqualTo(new AskPart.Request(ask))
                .extracting(AskPart::requestId)
                .isEqualTo("r1");
        assertThat(parts.deserialize(
                        topics.batchRequests().name(),
                        topics.batchRequests().valueSerde().serializer().serialize("x", batch)))
                .as("an ask of the batch topic, with its priority")
                .isEqualTo(new AskPart.Request(batch));
        assertThat(parts.deserialize(
                        topics.progress().name(),
                        topics.progress().valueSerde().serializer().serialize("x", started)))
                .isEqualTo(new AskPart.Progress(started))
                .extracting(AskPart::requestId)
                .isEqualTo("r1");
        assertThat(parts.deserialize(
                        topics.results().name(),
                        topics.results().valueSerde().serializer().serialize("x", result)))
                .isEqualTo(new AskPart.Result(result))
                .extracting(AskPart::requestId)
                .isEqualTo("r1");
        assertThat(AskPartDeserializer.sources(topics))
                .containsExactlyInAnyOrder(
                        topics.requests().name(),
                        topics.batchRequests().name(),
                        topics.progress().name(),
                        topics.results().name());
    }

    @Test
    void aRequestOfTheOlderFormatIsReadAsAChatAsk() {
        AskPart part = parts.deserialize(topics.requests().name(), bytes("""
                {"request_id": "r8", "user_id": "alice", "idempotency_key": "k-r8", "prompt": "old prompt",
                 "model": "gpt-4o", "accepted_at": "2026-11-26T12:00:00Z"}"""));

        assertThat(part)
                .isEqualTo(
                        new AskPart.Request(new AskRequest("r8", "alice", "k-r8", "old prompt", "gpt-4o", null, T0)));
    }

    @Test
    void aResultWithAnErrorTypeOfANewerVersionIsReadNotSkipped() {
        AskPart part = parts.deserialize(topics.results().name(), bytes("""
                {"backend": "openai", "model": "gpt-4o", "usage": {"prompt_tokens": 0, "completion_tokens": 0,
                 "total_tokens": 0}, "latency_ms": 12, "req_id": "r7", "status": "failed",
                 "error": {"type": "quota_exhausted", "message": "out of credit", "http_status": 402},
                 "attempts": 1, "completed_at": "2026-11-26T12:00:01Z"}"""));

        assertThat(((AskPart.Result) part).result().error())
                .isEqualTo(new AskError(new AskError.UnknownType("quota_exhausted", 402), "out of credit"));
    }

    @Test
    void whatCannotBeReadIsASerializationExceptionForTheDeadLetterTopic() {
        for (String topic : AskPartDeserializer.sources(topics)) {
            assertThatThrownBy(() -> parts.deserialize(topic, bytes("{not json")))
                    .as(topic)
                    .isInstanceOf(SerializationException.class);
            assertThatThrownBy(() -> parts.deserialize(topic, bytes("null")))
                    .as("JSON null on %s", topic)
                    .isInstanceOf(SerializationException.class);
        }
        assertThatThrownBy(() -> parts.deserialize(topics.cancels().name(), bytes("{}")))
                .as("a topic the writer does not read")
                .isInstanceOf(SerializationException.class);
        assertThat(parts.deserialize(topics.results().name(), null))
                .as("a tombstone")
                .isNull();
    }
}
