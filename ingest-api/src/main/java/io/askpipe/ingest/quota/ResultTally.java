package io.askpipe.ingest.quota;

import io.askpipe.common.kafka.KafkaSettings;
import io.askpipe.common.retry.Backoff;
import io.askpipe.schemas.AskResult;
import io.askpipe.schemas.Topic;
import java.time.Clock;
import java.time.Duration;
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
import org.jooq.DSLContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The ingest instances' consumer group on {@code ask.results}: each poll's results are tallied in
 * one statement ({@link FinishedAsks}: their asks finished, their tokens added to their users'
 * months) and only then committed, so a result is tallied at least once whichever instance reads it
 * and whether or not one was down, and the statement makes twice count once. One thread of its own.
 */
public final class ResultTally implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ResultTally.class);
    private static final Duration POLL = Duration.ofMillis(200);
    private static final int MAX_POLL_RECORDS = 2_000;

    private final Consumer<String, AskResult> consumer;
    private final FinishedAsks finished;
    private final Clock clock;
    private final Thread thread;
    private volatile boolean running = true;

    private ResultTally(Consumer<String, AskResult> consumer, FinishedAsks finished, Clock clock) {
        this.consumer = consumer;
        this.finished = finished;
        this.clock = clock;
        this.thread = Thread.ofPlatform().name("ingest-result-tally").daemon().unstarted(this::run);
    }

    /** The group every ingest instance of the deployment joins (its topic prefix, then the name). */
    static String groupId(KafkaSettings kafka) {
        return kafka.topicPrefix() + "askpipe-ingest-quotas";
    }

    /** Starts tallying {@code topic} into {@code db} (schema {@code ingest}) in the deployment's group. */
    public static ResultTally start(KafkaSettings kafka, Topic<String, AskResult> topic, DSLContext db, Clock clock) {
        Map<String, Object> props = kafka.consumerProperties("askpipe-ingest-quotas");
        props.put(ConsumerConfig.GROUP_ID_CONFIG, groupId(kafka));
        props.putAll(kafka.staticMembership("ingest-quotas"));
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
        ResultTally tally = new ResultTally(consumer, new FinishedAsks(db), clock);
        tally.thread.start();
        return tally;
    }

    private void run() {
        try {
            while (running) {
                try {
                    ConsumerRecords<String, AskResult> records = consumer.poll(POLL);
                    if (records.isEmpty()) {
                        continue;
                    }
                    Map<String, FinishedAsks.Finished> batch = new LinkedHashMap<>();
                    for (ConsumerRecord<String, AskResult> record : records) {
                        AskResult result = record.value();
                        if (result != null) {
                            batch.put(
                                    result.reqId(),
                                    FinishedAsks.Finished.at(
                                            result.reqId(), result.usage().totalTokens(), result.completedAt()));
                        }
                    }
                    Backoff.INFRASTRUCTURE.untilDone(
                            "tally " + batch.size() + " results into the quotas",
                            () -> finished.tally(batch.values(), clock.instant()),
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
                    LOG.warn("tallying the results failed, retrying: {}", e.toString());
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
