package io.askpipe.ingest.results;

import io.askpipe.common.kafka.KafkaSettings;
import io.askpipe.common.kafka.PollLoop;
import io.askpipe.schemas.AskResult;
import io.askpipe.schemas.Topic;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * A reader of {@code ask.results} with no consumer group: assigned every partition, positioned at
 * their end when it starts, it hands each committed result, unread, to {@link ResultWaiters}. Every
 * ingest instance tails the whole topic, so whichever instance a request waits on sees its result;
 * nothing is committed, and a restart starts again at the end.
 */
public final class ResultTail implements AutoCloseable {
    private static final Duration POLL = Duration.ofMillis(500);

    private final PollLoop<String, byte[]> loop;

    private ResultTail(PollLoop<String, byte[]> loop) {
        this.loop = loop;
    }

    /**
     * Starts tailing {@code topic} into {@code waiters}; returns once it is positioned at the end of
     * every partition, so that every result published after it returns is seen.
     */
    public static ResultTail start(KafkaSettings kafka, Topic<String, AskResult> topic, ResultWaiters waiters) {
        Map<String, Object> props = kafka.consumerProperties("askpipe-ingest-result-tail");
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "latest");
        Consumer<String, byte[]> consumer =
                new KafkaConsumer<>(props, topic.keySerde().deserializer(), new ByteArrayDeserializer());
        try {
            List<TopicPartition> partitions = consumer.partitionsFor(topic.name()).stream()
                    .map(info -> new TopicPartition(info.topic(), info.partition()))
                    .toList();
            consumer.assign(partitions);
            consumer.seekToEnd(partitions);
            // resolves the end now rather than at the first poll, which may come after a result
            partitions.forEach(consumer::position);
        } catch (RuntimeException e) {
            consumer.close(Duration.ZERO);
            throw e;
        }
        return new ResultTail(PollLoop.start(
                "ingest-result-tail", consumer, POLL, "reading the results", (records, running) -> {
                    for (var record : records) {
                        waiters.complete(record.key(), record.value());
                    }
                }));
    }

    @Override
    public void close() {
        loop.close();
    }
}
