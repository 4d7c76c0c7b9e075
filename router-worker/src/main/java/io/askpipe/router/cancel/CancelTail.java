package io.askpipe.router.cancel;

import io.askpipe.common.kafka.KafkaSettings;
import io.askpipe.common.kafka.PollLoop;
import io.askpipe.schemas.AskCancel;
import io.askpipe.schemas.Topic;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A reader of {@code ask.cancels} with no consumer group, which every worker runs: assigned every
 * partition and reading from the first retained record, it keeps each cancel in {@link
 * CancelledAsks} and interrupts the ask's run on this worker ({@link RunningAsks}), if any. Nothing
 * is committed: a restarted worker reads the retained cancels again. One platform thread ({@link
 * PollLoop}).
 */
public final class CancelTail implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(CancelTail.class);
    private static final Duration POLL = Duration.ofMillis(100);
    /** How often cancels past the retention are forgotten. */
    private static final Duration FORGET_EVERY = Duration.ofMinutes(1);

    private final Consumer<String, byte[]> consumer;
    private final Topic<String, AskCancel> topic;
    private final CancelledAsks cancelled;
    private final RunningAsks running;
    private PollLoop<String, byte[]> loop;
    private long lastForgetNanos = System.nanoTime();

    private CancelTail(
            Consumer<String, byte[]> consumer,
            Topic<String, AskCancel> topic,
            CancelledAsks cancelled,
            RunningAsks running) {
        this.consumer = consumer;
        this.topic = topic;
        this.cancelled = cancelled;
        this.running = running;
    }

    /**
     * Starts tailing {@code topic}; returns once the cancels retained when it started are read (or
     * {@code catchUp} passed), so that an ask the worker takes after it returns and was cancelled
     * before is known as cancelled.
     */
    public static CancelTail start(
            KafkaSettings kafka,
            Topic<String, AskCancel> topic,
            CancelledAsks cancelled,
            RunningAsks running,
            Duration catchUp) {
        Map<String, Object> props = kafka.consumerProperties("askpipe-router-cancel-tail");
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        Consumer<String, byte[]> consumer =
                new KafkaConsumer<>(props, new StringDeserializer(), new ByteArrayDeserializer());
        CancelTail tail = new CancelTail(consumer, topic, cancelled, running);
        try {
            List<TopicPartition> partitions = consumer.partitionsFor(topic.name()).stream()
                    .map(info -> new TopicPartition(info.topic(), info.partition()))
                    .toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            tail.catchUp(consumer.endOffsets(partitions), catchUp);
        } catch (RuntimeException e) {
            consumer.close(Duration.ZERO);
            throw e;
        }
        tail.loop =
                PollLoop.start("router-cancel-tail", consumer, POLL, "reading the cancels", (records, loopRunning) -> {
                    records.forEach(tail::take);
                    tail.forgetIfDue();
                });
        return tail;
    }

    private void catchUp(Map<TopicPartition, Long> ends, Duration limit) {
        long deadline = System.nanoTime() + limit.toNanos();
        while (ends.entrySet().stream().anyMatch(end -> consumer.position(end.getKey()) < end.getValue())) {
            if (System.nanoTime() - deadline >= 0) {
                LOG.warn("cancels not all read within {}; reading the rest while asks run", limit);
                return;
            }
            consumer.poll(POLL).forEach(this::take);
        }
        LOG.info("read {} cancels of asks that may still run", cancelled.size());
    }

    private void take(ConsumerRecord<String, byte[]> record) {
        if (record.value() == null) {
            return;
        }
        AskCancel cancel;
        try {
            cancel = topic.valueSerde().deserializer().deserialize(record.topic(), record.value());
        } catch (RuntimeException e) {
            LOG.warn(
                    "skipping the unreadable cancel at {}-{}@{}: {}",
                    record.topic(),
                    record.partition(),
                    record.offset(),
                    e.toString());
            return;
        }
        if (interrupts(cancel, cancelled, running)) {
            LOG.info("cancel interrupts the running ask request_id={}", cancel.reqId());
        }
    }

    /**
     * Keeps {@code cancel} and interrupts the runs of its ask, if it is the ask's first cancel;
     * returns whether a run was interrupted. A repeated cancel (its owner asked again) interrupts
     * nothing: the first one ends the ask, and another interrupt would only hit what its thread
     * does after, such as giving back its permit.
     */
    static boolean interrupts(AskCancel cancel, CancelledAsks cancelled, RunningAsks running) {
        return cancelled.add(cancel) && running.cancel(cancel.reqId()) > 0;
    }

    private void forgetIfDue() {
        long now = System.nanoTime();
        if (now - lastForgetNanos >= FORGET_EVERY.toNanos()) {
            lastForgetNanos = now;
            int forgotten = cancelled.forgetPastRetention();
            if (forgotten > 0) {
                LOG.debug("forgot {} cancels of asks past the retention", forgotten);
            }
        }
    }

    @Override
    public void close() {
        loop.close();
    }
}
