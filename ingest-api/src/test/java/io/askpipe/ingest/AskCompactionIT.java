package io.askpipe.ingest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.askpipe.embedded.SharedInfrastructure;
import io.askpipe.ingest.publish.AskPublisher;
import io.askpipe.schemas.AskRequest;
import io.askpipe.schemas.JsonSerde;
import io.askpipe.schemas.Topic;
import io.askpipe.schemas.Topics;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.Serdes;
import org.junit.jupiter.api.Test;

/**
 * What the log cleaner leaves of {@code ask.requests} on a real broker, with a topic configured so
 * that it cleans at once: every accepted ask, even two of one user with one Idempotency-Key (the
 * ledger accepts the key again once {@code IDEMPOTENCY_TTL} has passed) that nobody has read yet.
 */
class AskCompactionIT {
    private static final String PROBE = "compaction-probe";

    @Test
    void compactionKeepsEveryAcceptedAskOfAReusedKey() throws Exception {
        String prefix = SharedInfrastructure.uniqueName("compaction") + ".";
        String name = Topics.withPrefix(prefix).requests().name();
        String bootstrap = SharedInfrastructure.kafka().bootstrapServers();
        Map<String, String> cleanAtOnce = Map.of(
                TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_COMPACT,
                TopicConfig.SEGMENT_MS_CONFIG, "100",
                TopicConfig.MIN_CLEANABLE_DIRTY_RATIO_CONFIG, "0.001",
                TopicConfig.MIN_COMPACTION_LAG_MS_CONFIG, "0",
                TopicConfig.DELETE_RETENTION_MS_CONFIG, "0");
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap))) {
            admin.createTopics(List.of(new NewTopic(name, Optional.of(1), Optional.empty()).configs(cleanAtOnce)))
                    .all()
                    .get();
        }
        Topic<String, AskRequest> topic =
                new Topic<>(name, Serdes.String(), JsonSerde.of(AskRequest.class), cleanAtOnce);
        Instant first = Instant.parse("2026-12-01T10:00:00Z");
        AskRequest before = ask("reused", first);
        AskRequest after = ask("reused", first.plus(Duration.ofMinutes(11))); // after the TTL
        try (Producer<String, AskRequest> producer = new KafkaProducer<>(
                        producerProps(bootstrap),
                        topic.keySerde().serializer(),
                        topic.valueSerde().serializer());
                Producer<byte[], byte[]> probes = new KafkaProducer<>(
                        producerProps(bootstrap), new ByteArraySerializer(), new ByteArraySerializer())) {
            AskPublisher publisher = new AskPublisher(producer, Topics.withPrefix(prefix));
            publisher.publish(before).get();
            publisher.publish(after).get();
            // two records under one probe key, each in a segment of its own, and one more record
            // after them so that neither is in the active segment: once the first probe is gone,
            // the cleaner has been over the asks too
            for (String key : List.of(PROBE, PROBE, "roll")) {
                Thread.sleep(300); // past segment.ms: the next record rolls a new segment
                probes.send(new ProducerRecord<>(name, bytes(key), bytes("{}"))).get();
            }
        }

        await().atMost(Duration.ofMinutes(2))
                .pollInterval(Duration.ofSeconds(1))
                .untilAsserted(() -> assertThat(readAll(bootstrap, name).stream()
                                .filter(record -> PROBE.equals(string(record.key())))
                                .count())
                        .as("the cleaner removed the older probe")
                        .isEqualTo(1));

        List<String> requestIds = new ArrayList<>();
        for (ConsumerRecord<byte[], byte[]> record : readAll(bootstrap, name)) {
            if (!PROBE.equals(string(record.key())) && !"roll".equals(string(record.key()))) {
                requestIds.add(topic.valueSerde()
                        .deserializer()
                        .deserialize(name, record.value())
                        .requestId());
            }
        }
        assertThat(requestIds)
                .as("both asks of the reused key survive compaction")
                .containsExactly(before.requestId(), after.requestId());
    }

    private static AskRequest ask(String idempotencyKey, Instant acceptedAt) {
        return new AskRequest(UUID.randomUUID().toString(), "alice", idempotencyKey, "hi", null, null, acceptedAt);
    }

    private static Map<String, Object> producerProps(String bootstrap) {
        return Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap, ProducerConfig.ACKS_CONFIG, "all");
    }

    /** Every record of the single-partition {@code topic}, from its log start offset to its end. */
    private static List<ConsumerRecord<byte[], byte[]>> readAll(String bootstrap, String topic) {
        Map<String, Object> props = Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG,
                bootstrap,
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG,
                "earliest");
        TopicPartition partition = new TopicPartition(topic, 0);
        List<ConsumerRecord<byte[], byte[]>> records = new ArrayList<>();
        try (var consumer = new KafkaConsumer<>(props, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            consumer.assign(List.of(partition));
            consumer.seekToBeginning(List.of(partition));
            long end = consumer.endOffsets(List.of(partition)).get(partition);
            while (consumer.position(partition) < end) {
                consumer.poll(Duration.ofMillis(200)).forEach(records::add);
            }
        }
        return records;
    }

    private static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    private static String string(byte[] bytes) {
        return bytes == null ? null : new String(bytes, StandardCharsets.UTF_8);
    }
}
