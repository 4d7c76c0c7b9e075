package io.askpipe.router.process;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.askpipe.schemas.AskProgress;
import io.askpipe.schemas.AskRequest;
import io.askpipe.schemas.AskResult;
import io.askpipe.schemas.Headers;
import io.askpipe.schemas.Topics;
import io.askpipe.schemas.Usage;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import org.apache.kafka.clients.producer.MockProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class ProgressAnnouncerTest {
    private static final Topics TOPICS = Topics.ofDefaults();
    private static final Instant NOW = Instant.parse("2026-11-26T12:00:00Z");
    private static final AskRequest ASK = new AskRequest("r1", "u1", "k1", "hi", null, null, NOW);
    private static final AskResult RESULT =
            AskResult.succeeded("r1", "dryrun", "dryrun-echo", "[dryrun] hi", Usage.of(1, 2), 3, 1, NOW);

    private final MockProducer<byte[], byte[]> producer =
            new MockProducer<>(true, null, new ByteArraySerializer(), new ByteArraySerializer());
    private ProgressAnnouncer announcer;

    private ProgressAnnouncer announcer(Duration after) {
        announcer = new ProgressAnnouncer(producer, TOPICS.progress(), after, Clock.fixed(NOW, ZoneOffset.UTC));
        return announcer;
    }

    @AfterEach
    void close() {
        announcer.close();
    }

    @Test
    void withNoDelayAnnouncesTheAskAsItsCallStarts() throws Exception {
        AskResult result = announcer(Duration.ZERO).announcingWhile(ASK, (request, onStart) -> {
            onStart.accept("openai");
            assertThat(producer.history()).as("announced before the call").hasSize(1);
            return RESULT;
        });

        assertThat(result).isEqualTo(RESULT);
        ProducerRecord<byte[], byte[]> out = producer.history().getFirst();
        assertThat(out.topic()).isEqualTo(TOPICS.progress().name());
        assertThat(new String(out.key(), StandardCharsets.UTF_8)).isEqualTo("r1");
        assertThat(new String(out.headers().lastHeader(Headers.REQUEST_ID).value(), StandardCharsets.UTF_8))
                .isEqualTo("r1");
        assertThat(TOPICS.progress().valueSerde().deserializer().deserialize(out.topic(), out.value()))
                .isEqualTo(new AskProgress("r1", "openai", NOW));
    }

    @Test
    void aCallThatEndsBeforeTheDelayIsNeverAnnounced() throws Exception {
        announcer(Duration.ofMillis(200)).announcingWhile(ASK, (request, onStart) -> {
            onStart.accept("dryrun");
            return RESULT;
        });

        Thread.sleep(400);
        assertThat(producer.history()).isEmpty();
    }

    @Test
    void aCallThatOutlastsTheDelayIsAnnouncedWhileItRuns() throws Exception {
        announcer(Duration.ofMillis(50)).announcingWhile(ASK, (request, onStart) -> {
            onStart.accept("llama");
            // the call runs until its announcement is out
            await().atMost(Duration.ofSeconds(5))
                    .until(() -> !producer.history().isEmpty());
            return RESULT;
        });

        assertThat(producer.history()).hasSize(1);
        ProducerRecord<byte[], byte[]> out = producer.history().getFirst();
        assertThat(TOPICS.progress().valueSerde().deserializer().deserialize(out.topic(), out.value()))
                .isEqualTo(new AskProgress("r1", "llama", NOW));
    }
}
