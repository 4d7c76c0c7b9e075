package io.askpipe.ingest.results;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.askpipe.common.kafka.KafkaSettings;
import io.askpipe.common.kafka.TopicProvisioner;
import io.askpipe.embedded.SharedInfrastructure;
import io.askpipe.schemas.AskResult;
import io.askpipe.schemas.Topic;
import io.askpipe.schemas.Usage;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A group that took over the work of former groups, on the real broker: it starts where all of
 * them had got to, not at the topic's start, and from then on where it committed itself.
 */
class ResultGroupIT {
    private KafkaSettings kafka;
    private Topic<String, AskResult> topic;
    private final List<String> handled = new CopyOnWriteArrayList<>();

    @BeforeEach
    void topics() {
        kafka = KafkaSettings.local(
                SharedInfrastructure.kafka().bootstrapServers(), SharedInfrastructure.uniqueName("group") + ".");
        TopicProvisioner.ensure(kafka, "it-admin");
        topic = kafka.topics().results();
    }

    @Test
    void aSuccessorStartsWhereEveryFormerGroupHadGotToThenWhereItCommitted() throws Exception {
        publish(0, 10);
        Map<TopicPartition, Long> ends = ends();
        commit("quotas", ends, 6);
        commit("batches", ends, 4);

        try (ResultGroup group = start(List.of("quotas", "batches"))) {
            await().atMost(Duration.ofSeconds(30)).until(() -> handled.size() >= expected(ends, 4));
            Thread.sleep(1_000); // nothing older comes after
        }
        assertThat(handled)
                .as("each partition from the least of the former groups' offsets, nothing before")
                .containsExactlyInAnyOrderElementsOf(idsFrom(ends, 4));

        handled.clear();
        publish(10, 12);
        try (ResultGroup group = start(List.of("quotas", "batches"))) {
            await().atMost(Duration.ofSeconds(30)).until(() -> handled.size() >= 2);
            Thread.sleep(1_000);
        }
        assertThat(handled).as("its own offsets win once it has some").containsExactlyInAnyOrder("r10", "r11");
    }

    @Test
    void withoutFormerGroupsAGroupReadsTheTopicFromItsStart() throws Exception {
        publish(0, 5);
        try (ResultGroup group = start(List.of("never-existed"))) {
            await().atMost(Duration.ofSeconds(30)).until(() -> handled.size() >= 5);
        }
        assertThat(handled).containsExactlyInAnyOrder("r0", "r1", "r2", "r3", "r4");
    }

    private ResultGroup start(List<String> formerRoles) {
        return ResultGroup.start(
                kafka,
                topic,
                "finished",
                formerRoles,
                "test",
                results -> results.stream().map(AskResult::reqId).forEach(handled::add));
    }

    private void publish(int from, int to) throws Exception {
        try (Producer<String, AskResult> producer = new KafkaProducer<>(
                kafka.acknowledgedProducerProperties("it"),
                topic.keySerde().serializer(),
                topic.valueSerde().serializer())) {
            for (int i = from; i < to; i++) {
                String id = "r" + i;
                producer.send(new ProducerRecord<>(
                                topic.name(),
                                id,
                                AskResult.succeeded(id, "dryrun", "m", "a", Usage.of(1, 1), 1, 1, Instant.now())))
                        .get();
            }
        }
    }

    /** Each partition's end offset. */
    private Map<TopicPartition, Long> ends() {
        try (var consumer = reader()) {
            List<TopicPartition> partitions = consumer.partitionsFor(topic.name()).stream()
                    .map(info -> new TopicPartition(topic.name(), info.partition()))
                    .toList();
            return consumer.endOffsets(partitions);
        }
    }

    /** Commits for {@code role}'s group, on each partition, the offset {@code tenths} tenths of the way along it. */
    private void commit(String role, Map<TopicPartition, Long> ends, int tenths) {
        Map<String, Object> props = kafka.consumerProperties("it-" + role);
        props.put(ConsumerConfig.GROUP_ID_CONFIG, ResultGroup.groupId(kafka, role));
        try (var consumer = new KafkaConsumer<>(props, new StringDeserializer(), new ByteArrayDeserializer())) {
            Map<TopicPartition, OffsetAndMetadata> offsets = new java.util.HashMap<>();
            ends.forEach((partition, end) -> offsets.put(partition, new OffsetAndMetadata(end * tenths / 10)));
            consumer.commitSync(offsets);
        }
    }

    private int expected(Map<TopicPartition, Long> ends, int tenths) {
        return idsFrom(ends, tenths).size();
    }

    /** The request ids at and after {@code tenths} tenths of each partition. */
    private List<String> idsFrom(Map<TopicPartition, Long> ends, int tenths) {
        List<String> ids = new ArrayList<>();
        try (var consumer = reader()) {
            consumer.assign(ends.keySet());
            ends.forEach((partition, end) -> consumer.seek(partition, end * tenths / 10));
            long want = ends.values().stream()
                    .mapToLong(end -> end - end * tenths / 10)
                    .sum();
            long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
            while (ids.size() < want && System.nanoTime() < deadline) {
                consumer.poll(Duration.ofMillis(200)).forEach(record -> ids.add(record.key()));
            }
        }
        return ids;
    }

    private KafkaConsumer<String, byte[]> reader() {
        Map<String, Object> props = kafka.consumerProperties("it-reader");
        return new KafkaConsumer<>(props, new StringDeserializer(), new ByteArrayDeserializer());
    }
}
