package io.askpipe.drill.deploy;

import io.askpipe.common.kafka.AskSizes;
import io.askpipe.schemas.AskRequest;
import io.askpipe.schemas.AskResult;
import io.askpipe.schemas.Topics;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.function.Consumer;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * The drill's reader of the deployment's Kafka cluster: whole topics, end offsets and consumer
 * group lag. (Named for what it reads; Kafka Streams' {@code Topology} is another thing.)
 */
public final class ClusterReader implements AutoCloseable {
    /** The deployment's topics: the drill's deployments use no prefix. */
    public static final Topics TOPICS = Topics.withPrefix("");

    private final String bootstrapServers;
    private final Admin admin;

    public ClusterReader(String bootstrapServers) {
        this.bootstrapServers = bootstrapServers;
        this.admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers));
    }

    /** The Admin client it reads with, which the replay also uses to reset the router group. */
    public Admin admin() {
        return admin;
    }

    List<TopicPartition> partitions(String topic) throws ExecutionException, InterruptedException {
        return admin.describeTopics(List.of(topic)).allTopicNames().get().get(topic).partitions().stream()
                .map(p -> new TopicPartition(topic, p.partition()))
                .toList();
    }

    public Map<TopicPartition, Long> offsets(String topic, OffsetSpec spec)
            throws ExecutionException, InterruptedException {
        Map<TopicPartition, OffsetSpec> request = new HashMap<>();
        partitions(topic).forEach(tp -> request.put(tp, spec));
        Map<TopicPartition, Long> offsets = new HashMap<>();
        admin.listOffsets(request).all().get().forEach((tp, info) -> offsets.put(tp, info.offset()));
        return offsets;
    }

    public long endOffsetSum(String topic) throws ExecutionException, InterruptedException {
        return offsets(topic, OffsetSpec.latest()).values().stream()
                .mapToLong(Long::longValue)
                .sum();
    }

    /** Records of {@code topic} that {@code group} has not committed past (0 when it is caught up). */
    public long lag(String group, String topic) throws ExecutionException, InterruptedException {
        Map<TopicPartition, OffsetAndMetadata> committed = admin.listConsumerGroupOffsets(group)
                .partitionsToOffsetAndMetadata()
                .get();
        long lag = 0;
        for (var end : offsets(topic, OffsetSpec.latest()).entrySet()) {
            OffsetAndMetadata at = committed.get(end.getKey());
            lag += end.getValue() - (at == null ? 0 : at.offset());
        }
        return lag;
    }

    /** Reads every committed record of {@code topic}, from its start to its current end. */
    public void readAll(String topic, Consumer<ConsumerRecord<byte[], byte[]>> each)
            throws ExecutionException, InterruptedException {
        // fetches sized for any deployment's ASK_MAX_BYTES: the drill does not know the one it reads
        Map<String, Object> props = new HashMap<>(AskSizes.LARGEST.consumerProperties());
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        props.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 5000);
        List<TopicPartition> partitions = partitions(topic);
        try (var consumer = new KafkaConsumer<>(props, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
            Set<TopicPartition> open = new HashSet<>(partitions);
            open.removeIf(tp -> consumer.position(tp) >= end.get(tp));
            while (!open.isEmpty()) {
                for (var record : consumer.poll(Duration.ofMillis(500))) {
                    each.accept(record);
                }
                open.removeIf(tp -> consumer.position(tp) >= end.get(tp));
            }
        }
    }

    /** Every distinct terminal result on {@code ask.results}, by request id. */
    public Map<String, Set<String>> distinctResults() throws ExecutionException, InterruptedException {
        var deserializer = TOPICS.results().valueSerde().deserializer();
        Map<String, Set<String>> results = new HashMap<>();
        readAll(TOPICS.results().name(), record -> {
            AskResult result = deserializer.deserialize(record.topic(), record.value());
            String outcome = result.status().wireName() + "|" + result.backend() + "|" + result.model() + "|"
                    + (result.error() == null
                            ? result.answer()
                            : result.error().type().wireName());
            results.computeIfAbsent(result.reqId(), id -> new HashSet<>()).add(outcome);
        });
        return results;
    }

    /**
     * The request ids each of {@code prompts} was published under to the topics of asks (both
     * priorities'), by prompt: an ask's prompt is its last user message.
     */
    public Map<String, Set<String>> requestIdsByPrompt(Set<String> prompts)
            throws ExecutionException, InterruptedException {
        var deserializer = TOPICS.requests().valueSerde().deserializer();
        Map<String, Set<String>> ids = new HashMap<>();
        for (String topic : TOPICS.allRequestNames()) {
            readAll(topic, record -> {
                if (record.value() == null) {
                    return; // a purged ask's tombstone
                }
                AskRequest ask = deserializer.deserialize(record.topic(), record.value());
                ask.chat()
                        .lastUserText()
                        .filter(prompts::contains)
                        .ifPresent(prompt -> ids.computeIfAbsent(prompt, p -> new HashSet<>())
                                .add(ask.requestId()));
            });
        }
        return ids;
    }

    @Override
    public void close() {
        admin.close();
    }
}
