package io.askpipe.ingest.results;

import io.askpipe.common.kafka.KafkaSettings;
import io.askpipe.schemas.AskResult;
import io.askpipe.schemas.Topic;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.RecordDeserializationException;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A reader of {@code ask.results} with no consumer group: assigned every partition, positioned at
 * their end when it starts, it hands each committed result, unread, to {@link ResultWaiters}. Every
 * ingest instance tails the whole topic, so whichever instance a request waits on sees its result;
 * nothing is committed, and a restart starts again at the end.
 */
public final class ResultTail implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ResultTail.class);
    private static final Duration POLL = Duration.ofMillis(500);

    private final Consumer<String, byte[]> consumer;
    private final ResultWaiters waiters;
    private final Thread thread;
    private volatile boolean running = true;

    private ResultTail(Consumer<String, byte[]> consumer, ResultWaiters waiters) {
        this.consumer = consumer;
        this.waiters = waiters;
        this.thread = Thread.ofPlatform().name("ingest-result-tail").daemon().unstarted(this::run);
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
        ResultTail tail = new ResultTail(consumer, waiters);
        tail.thread.start();
        return tail;
    }

    private void run() {
        try {
            while (running) {
                try {
                    for (var record : consumer.poll(POLL)) {
                        waiters.complete(record.key(), record.value());
                    }
                } catch (RecordDeserializationException e) {
                    LOG.warn(
                            "skipping the unreadable record at {} offset {} of the results: {}",
                            e.topicPartition(),
                            e.offset(),
                            e.getMessage());
                    consumer.seek(e.topicPartition(), e.offset() + 1);
                } catch (WakeupException e) {
                    // close() asked us to stop
                } catch (RuntimeException e) {
                    LOG.warn("reading the results failed, retrying: {}", e.toString());
                    sleep();
                }
            }
        } finally {
            consumer.close(Duration.ofSeconds(5));
        }
    }

    private void sleep() {
        try {
            Thread.sleep(POLL);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            running = false;
        }
    }

    @Override
    public void close() {
        running = false;
        consumer.wakeup();
        try {
            thread.join(Duration.ofSeconds(10));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
