package io.askpipe.ingest.results;

import io.askpipe.common.kafka.KafkaSettings;
import io.askpipe.common.retry.Backoff;
import io.askpipe.schemas.AskResult;
import io.askpipe.schemas.Topic;
import java.time.Duration;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.errors.RecordDeserializationException;
import org.apache.kafka.common.errors.WakeupException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A consumer group of the ingest instances on {@code ask.results} that hands each poll's results
 * (one per ask, the last read) to a handler, retries the handler until it has done them, and only
 * then commits: whichever instance reads a result, and whether or not one was down, the handler
 * sees it at least once, so a handler that makes twice count once counts it once. A new group
 * reads the topic from its start. An unreadable record is skipped. One platform thread of its own.
 */
public final class ResultGroup implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ResultGroup.class);
    private static final Duration POLL = Duration.ofMillis(200);
    private static final int MAX_POLL_RECORDS = 2_000;

    /** What a group does with one poll's results; a failure is taken as transient and retried. */
    @FunctionalInterface
    public interface Handler {
        void handle(Collection<AskResult> results) throws Exception;
    }

    private final Consumer<String, AskResult> consumer;
    private final Handler handler;
    private final String what;
    private final Thread thread;
    private volatile boolean running = true;

    private ResultGroup(Consumer<String, AskResult> consumer, Handler handler, String role, String what) {
        this.consumer = consumer;
        this.handler = handler;
        this.what = what;
        this.thread = Thread.ofPlatform().name("ingest-" + role).daemon().unstarted(this::run);
    }

    /** The group every ingest instance of the deployment joins for {@code role}: its topic prefix, then the name. */
    public static String groupId(KafkaSettings kafka, String role) {
        return kafka.topicPrefix() + "askpipe-ingest-" + role;
    }

    /**
     * Starts the group of {@code role} (such as {@code quotas}: group {@code askpipe-ingest-quotas})
     * on {@code topic}, handing each poll's results to {@code handler}; {@code what} says in logs
     * what the handler does with them.
     */
    public static ResultGroup start(
            KafkaSettings kafka, Topic<String, AskResult> topic, String role, String what, Handler handler) {
        Map<String, Object> props = kafka.consumerProperties("askpipe-ingest-" + role);
        props.put(ConsumerConfig.GROUP_ID_CONFIG, groupId(kafka, role));
        props.putAll(kafka.staticMembership("ingest-" + role));
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        // a new group reads what the topic holds: asks accepted before it existed finish too
        props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        props.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, MAX_POLL_RECORDS);
        Consumer<String, AskResult> consumer = new KafkaConsumer<>(
                props, topic.keySerde().deserializer(), topic.valueSerde().deserializer());
        try {
            consumer.subscribe(List.of(topic.name()));
        } catch (RuntimeException e) {
            consumer.close(Duration.ZERO);
            throw e;
        }
        ResultGroup group = new ResultGroup(consumer, handler, "result-" + role, what);
        group.thread.start();
        return group;
    }

    private void run() {
        try {
            while (running) {
                try {
                    ConsumerRecords<String, AskResult> records = consumer.poll(POLL);
                    if (records.isEmpty()) {
                        continue;
                    }
                    Map<String, AskResult> batch = new LinkedHashMap<>();
                    for (ConsumerRecord<String, AskResult> record : records) {
                        AskResult result = record.value();
                        if (result != null) {
                            batch.put(result.reqId(), result);
                        }
                    }
                    Backoff.INFRASTRUCTURE.untilDone(
                            what + " (" + batch.size() + " results)",
                            () -> {
                                handler.handle(batch.values());
                                return null;
                            },
                            () -> running,
                            LOG);
                    consumer.commitSync();
                } catch (RecordDeserializationException e) {
                    LOG.warn(
                            "skipping the unreadable record at {} offset {} of the results: {}",
                            e.topicPartition(),
                            e.offset(),
                            e.getMessage());
                    consumer.seek(e.topicPartition(), e.offset() + 1);
                } catch (WakeupException e) {
                    // close() asked us to stop
                } catch (InterruptedException e) {
                    running = false; // stopping: the uncommitted results are read again by the group
                } catch (RuntimeException e) {
                    LOG.warn("{} failed, retrying: {}", what, e.toString());
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
