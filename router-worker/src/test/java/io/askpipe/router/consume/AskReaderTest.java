package io.askpipe.router.consume;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.askpipe.schemas.AskRequest;
import io.askpipe.schemas.Headers;
import io.askpipe.schemas.Topics;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.MockProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;

class AskReaderTest {
    private static final Topics TOPICS = Topics.ofDefaults();

    private final MockProducer<byte[], byte[]> deadLetters =
            new MockProducer<>(true, null, new ByteArraySerializer(), new ByteArraySerializer());
    private final AtomicBoolean running = new AtomicBoolean(true);
    private final AskReader reader = new AskReader(TOPICS, deadLetters, running::get);

    private static ConsumerRecord<String, byte[]> record(byte[] value) {
        return new ConsumerRecord<>(TOPICS.requests().name(), 2, 41, "the-key", value);
    }

    @Test
    void readsTheAskOfARecord() throws Exception {
        AskRequest ask = new AskRequest("r1", "u1", "k1", "hello", null, null, Instant.parse("2026-11-26T12:00:00Z"));
        byte[] json = TOPICS.requests().valueSerde().serializer().serialize("t", ask);

        assertThat(reader.read(record(json))).contains(ask);
        assertThat(deadLetters.history()).isEmpty();
    }

    @Test
    void readsTheAskOfARecordOfTheOlderFormat() throws Exception {
        byte[] json = ("{\"request_id\":\"r1\",\"user_id\":\"u1\",\"idempotency_key\":\"k1\",\"prompt\":\"hello\","
                        + "\"accepted_at\":\"2026-11-26T12:00:00Z\"}")
                .getBytes(StandardCharsets.UTF_8);

        assertThat(reader.read(record(json)))
                .contains(new AskRequest("r1", "u1", "k1", "hello", null, null, Instant.parse("2026-11-26T12:00:00Z")));
        assertThat(deadLetters.history()).isEmpty();
    }

    @Test
    void aTombstoneHoldsNoAskAndIsNoDeadLetter() throws Exception {
        assertThat(reader.read(record(null))).isEmpty();
        assertThat(deadLetters.history()).isEmpty();
    }

    @Test
    void anUnreadableRecordGoesToTheDeadLetterTopicAsItWas() throws Exception {
        byte[] garbage = "{not json".getBytes(StandardCharsets.UTF_8);

        assertThat(reader.read(record(garbage))).isEmpty();

        assertThat(deadLetters.history()).hasSize(1);
        ProducerRecord<byte[], byte[]> letter = deadLetters.history().getFirst();
        assertThat(letter.topic()).isEqualTo(TOPICS.requestsDeadLetter().name());
        assertThat(letter.key()).isEqualTo("the-key".getBytes(StandardCharsets.UTF_8));
        assertThat(letter.value()).isEqualTo(garbage);
        assertThat(new String(letter.headers().lastHeader(Headers.DLQ_SOURCE).value(), StandardCharsets.UTF_8))
                .isEqualTo(TOPICS.requests().name() + "-2@41");
        assertThat(letter.headers().lastHeader(Headers.DLQ_ERROR)).isNotNull();
    }

    @Test
    void aDeadLetterThatCannotBeSentGivesTheRecordUpOnceTheWorkerStops() {
        deadLetters.sendException = new KafkaException("broker unavailable");
        running.set(false);

        assertThatThrownBy(() -> reader.read(record("{not json".getBytes(StandardCharsets.UTF_8))))
                .isInstanceOf(InterruptedException.class);
    }
}
