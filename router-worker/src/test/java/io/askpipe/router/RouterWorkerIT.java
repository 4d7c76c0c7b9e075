package io.askpipe.router;

import static org.assertj.core.api.Assertions.assertThat;

import io.askpipe.common.KafkaSettings;
import io.askpipe.embedded.SharedInfrastructure;
import io.askpipe.schemas.AskRequest;
import io.askpipe.schemas.AskResult;
import io.askpipe.schemas.AskStatus;
import io.askpipe.schemas.Topics;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;

class RouterWorkerIT {

    @Test
    void answersAsksAndSendsPoisonToTheDeadLetterTopic() throws Exception {
        KafkaSettings kafka = KafkaSettings.local(
                SharedInfrastructure.kafka().bootstrapServers(), SharedInfrastructure.uniqueName("router") + ".");
        Topics topics = kafka.topics();
        RouterConfig config = RouterConfig.local(kafka).withGroupId(SharedInfrastructure.uniqueName("router"));

        try (RouterService service = RouterService.start(config, new SimpleMeterRegistry());
                var producer = new KafkaProducer<>(
                        kafka.clientProperties("it"), new StringSerializer(), new ByteArraySerializer())) {
            AskRequest ask = new AskRequest(
                    "0195f1a8-7b6e-7c3d-9a2b-4f5e6d7c8b9a", "alice", "k1", "hello there", null, null, Instant.now());
            byte[] json = topics.requests().valueSerde().serializer().serialize("t", ask);
            producer.send(new ProducerRecord<>(topics.requests().name(), "alice:poison", "{oops".getBytes()));
            producer.send(new ProducerRecord<>(topics.requests().name(), ask.scope(), json))
                    .get();

            List<ConsumerRecord<String, AskResult>> results = consume(
                    kafka,
                    topics.results().name(),
                    topics.results().valueSerde().deserializer(),
                    1);
            assertThat(results).hasSize(1);
            assertThat(results.getFirst().key()).isEqualTo(ask.requestId());
            AskResult result = results.getFirst().value();
            assertThat(result.status()).isEqualTo(AskStatus.SUCCEEDED);
            assertThat(result.answer()).isEqualTo("[dryrun] hello there");
            assertThat(new String(
                            results.getFirst()
                                    .headers()
                                    .lastHeader("askpipe-request-id")
                                    .value(),
                            StandardCharsets.UTF_8))
                    .isEqualTo(ask.requestId());

            List<ConsumerRecord<String, byte[]>> dead =
                    consume(kafka, topics.requestsDeadLetter().name(), new ByteArrayDeserializer(), 1);
            assertThat(dead).hasSize(1);
            assertThat(new String(dead.getFirst().value())).isEqualTo("{oops");
            assertThat(new String(dead.getFirst()
                            .headers()
                            .lastHeader("askpipe-dlq-source")
                            .value()))
                    .startsWith(topics.requests().name() + "-");
            assertThat(dead.getFirst().headers().lastHeader("askpipe-dlq-error"))
                    .isNotNull();
        }
    }

    private static <V> List<ConsumerRecord<String, V>> consume(
            KafkaSettings kafka, String topic, Deserializer<V> values, int expected) {
        Map<String, Object> props = kafka.clientProperties("it-reader");
        props.put(ConsumerConfig.GROUP_ID_CONFIG, SharedInfrastructure.uniqueName("reader"));
        props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        List<ConsumerRecord<String, V>> seen = new ArrayList<>();
        try (var consumer =
                new KafkaConsumer<>(props, new org.apache.kafka.common.serialization.StringDeserializer(), values)) {
            consumer.subscribe(List.of(topic));
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (seen.size() < expected && System.nanoTime() < deadline) {
                consumer.poll(Duration.ofMillis(200)).forEach(seen::add);
            }
        }
        return seen;
    }
}
