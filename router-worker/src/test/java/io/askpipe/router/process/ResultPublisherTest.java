package io.askpipe.router.process;

import static org.assertj.core.api.Assertions.assertThat;

import io.askpipe.schemas.AskRequest;
import io.askpipe.schemas.AskResult;
import io.askpipe.schemas.Headers;
import io.askpipe.schemas.Topics;
import io.askpipe.schemas.Usage;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import org.apache.kafka.clients.producer.MockProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;

class ResultPublisherTest {
    private static final Topics TOPICS = Topics.ofDefaults();
    private static final Instant NOW = Instant.parse("2026-11-26T12:00:00Z");
    private static final String TRACEPARENT = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01";

    private final MockProducer<String, AskResult> producer = new MockProducer<>(
            true, null, new StringSerializer(), TOPICS.results().valueSerde().serializer());
    private final ResultPublisher publisher =
            new ResultPublisher(producer, TOPICS.results().name());

    private static AskResult result(String requestId) {
        return AskResult.succeeded(requestId, "dryrun", "dryrun-echo", "[dryrun] hi", Usage.of(1, 2), 3, 1, NOW);
    }

    @Test
    void publishesTheResultUnderItsRequestIdWithItsTraceContext() throws Exception {
        AskRequest request = new AskRequest("r1", "u1", "k1", "hi", null, null, NOW, null, TRACEPARENT);

        publisher.send(request, result("r1")).get();

        assertThat(producer.history()).hasSize(1);
        ProducerRecord<String, AskResult> out = producer.history().getFirst();
        assertThat(out.topic()).isEqualTo(TOPICS.results().name());
        assertThat(out.key()).isEqualTo("r1");
        assertThat(out.value()).isEqualTo(result("r1"));
        assertThat(header(out, Headers.REQUEST_ID)).isEqualTo("r1");
        assertThat(header(out, Headers.TRACEPARENT)).isEqualTo(TRACEPARENT);
    }

    @Test
    void anAskWithoutTraceContextGetsNoTraceparentHeader() throws Exception {
        publisher
                .send(new AskRequest("r2", "u1", "k2", "hi", null, null, NOW), result("r2"))
                .get();

        ProducerRecord<String, AskResult> out = producer.history().getFirst();
        assertThat(header(out, Headers.REQUEST_ID)).isEqualTo("r2");
        assertThat(out.headers().lastHeader(Headers.TRACEPARENT)).isNull();
    }

    private static String header(ProducerRecord<?, ?> record, String name) {
        return new String(record.headers().lastHeader(name).value(), StandardCharsets.UTF_8);
    }
}
