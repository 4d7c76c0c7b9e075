package io.askpipe.store.sink;

import io.askpipe.common.fault.Fault;
import io.askpipe.common.fault.FaultInjector;
import io.askpipe.common.kafka.DeadLetters;
import io.askpipe.common.log.LogContext;
import io.askpipe.common.retry.Backoff;
import io.askpipe.common.service.Metrics;
import io.askpipe.schemas.JoinedAsk;
import io.askpipe.schemas.Topics;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.CommitFailedException;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.RebalanceInProgressException;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.Deserializer;
import org.jooq.exception.DataAccessException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes the asks the topology joined ({@code ask.joined}) into PostgreSQL: each poll's records in
 * one transaction ({@link AskRepository#write}), then their offsets. At least once: a crash between
 * the two writes the batch again, which the upserts make harmless. While the database fails, the
 * writer keeps its batch, pauses its partitions (so it stays in its group) and tries again with
 * backoff; a rebalance meanwhile drops the batch and rereads from the committed offsets. A record it
 * cannot read goes to {@code ask.store.dlq}. Chaos mode ({@code CHAOS_STORE_FAILURE}) fails a
 * batch's write the same way a failing database does when it strikes any of the batch's asks.
 *
 * <p>Written by hand on a plain consumer rather than inside the Streams application because Kafka
 * Streams offers no hook before it commits: only a write per record there is safe, and that capped
 * the store at the database's single-row rate (docs/adr/0007-batched-result-writes.md).
 */
public final class AskWriter implements Runnable {
    private static final Logger LOG = LoggerFactory.getLogger(AskWriter.class);
    /** The line per ask and hop (LOG_ASKS). */
    private static final Logger ASKS = LoggerFactory.getLogger("io.askpipe.store.asks");

    private static final Duration POLL = Duration.ofMillis(100);

    private final Consumer<String, byte[]> consumer;
    private final Producer<byte[], byte[]> deadLetters;
    private final Deserializer<JoinedAsk> deserializer;
    private final AskRepository asks;
    private final Topics topics;
    private final Timer storeWrite;
    private final Timer visible;
    private final FaultInjector faults;
    private volatile boolean running = true;
    private volatile boolean rebalanced;
    private volatile boolean inGroup;

    public AskWriter(
            Consumer<String, byte[]> consumer,
            Producer<byte[], byte[]> deadLetters,
            AskRepository asks,
            Topics topics,
            MeterRegistry registry,
            FaultInjector faults) {
        this.storeWrite = Metrics.stage(registry, "store_write");
        this.visible = Metrics.stage(registry, "visible");
        this.consumer = consumer;
        this.deadLetters = deadLetters;
        this.deserializer = topics.joined().valueSerde().deserializer();
        this.asks = asks;
        this.topics = topics;
        this.faults = faults;
    }

    @Override
    public void run() {
        consumer.subscribe(List.of(topics.joined().name()), new ConsumerRebalanceListener() {
            @Override
            public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
                inGroup = false;
                rebalanced = true;
            }

            @Override
            public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
                inGroup = true;
                rebalanced = true;
            }

            @Override
            public void onPartitionsLost(Collection<TopicPartition> partitions) {
                inGroup = false;
                rebalanced = true;
            }
        });
        try {
            while (running) {
                ConsumerRecords<String, byte[]> records = consumer.poll(POLL);
                if (!records.isEmpty()) {
                    rebalanced = false;
                    if (writeUntilDone(read(records))) {
                        commit(records);
                    }
                }
            }
        } catch (WakeupException e) {
            if (running) {
                throw e;
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException e) {
            LOG.error("result store writer stopped", e);
            throw e;
        } finally {
            consumer.close();
        }
    }

    /** Whether the writer holds an assignment of its group; false before it joins and during a rebalance. */
    public boolean inGroup() {
        return inGroup;
    }

    /** Stops the loop; the batch in hand, if any, is written again by whoever reads next. */
    public void stop() {
        running = false;
        consumer.wakeup();
    }

    private List<JoinedAsk> read(ConsumerRecords<String, byte[]> records) throws InterruptedException {
        List<JoinedAsk> batch = new ArrayList<>(records.count());
        for (ConsumerRecord<String, byte[]> record : records) {
            if (record.value() == null) {
                continue; // a tombstone: nothing to write
            }
            try {
                batch.add(deserializer.deserialize(record.topic(), record.value()));
            } catch (SerializationException e) {
                deadLetter(record, e);
            }
        }
        return batch;
    }

    /**
     * Writes {@code batch}, retrying with backoff while the database fails; returns false when a
     * rebalance came first, after rewinding to the committed offsets so the batch is read again.
     */
    private boolean writeUntilDone(List<JoinedAsk> batch) {
        Backoff.Delays delays = Backoff.INFRASTRUCTURE.delays();
        while (true) {
            Duration backoff;
            try {
                long writing = System.nanoTime();
                if (faultStrikes(batch)) {
                    throw new DataAccessException("store write failed (injected by chaos mode)");
                }
                List<JoinedAsk> finished = asks.write(batch);
                storeWrite.record(System.nanoTime() - writing, TimeUnit.NANOSECONDS);
                finished.forEach(this::stored);
                return true;
            } catch (RuntimeException e) {
                if (!running) {
                    throw new WakeupException();
                }
                backoff = delays.next();
                LOG.warn(
                        "writing {} asks failed, retrying in {} ms: {}",
                        batch.size(),
                        backoff.toMillis(),
                        e.toString());
            }
            // poll while paused: no records, but the consumer stays in its group
            Set<TopicPartition> assigned = consumer.assignment();
            consumer.pause(assigned);
            long until = System.currentTimeMillis() + backoff.toMillis();
            while (running && !rebalanced && System.currentTimeMillis() < until) {
                consumer.poll(Duration.ofMillis(Math.min(100, backoff.toMillis())));
            }
            consumer.resume(consumer.assignment());
            if (rebalanced) {
                rewind();
                return false;
            }
        }
    }

    /**
     * Whether chaos mode fails this write: every ask of the batch is asked, none skipped, so that
     * each ask meets its own sequence of strikes however the asks were batched and retried.
     */
    private boolean faultStrikes(List<JoinedAsk> batch) {
        boolean struck = false;
        for (JoinedAsk ask : batch) {
            struck |= faults.strikesAgain(Fault.STORE_FAILURE, ask.request().idempotencyKey());
        }
        return struck;
    }

    /** Records how long after the router's answer {@code ask} became visible, and says it was stored. */
    private void stored(JoinedAsk ask) {
        Duration after = Duration.between(ask.result().completedAt(), Instant.now());
        if (!after.isNegative()) {
            visible.record(after);
        }
        if (ASKS.isInfoEnabled()) {
            try (var log = LogContext.of(
                    "request_id",
                    ask.request().requestId(),
                    "traceparent",
                    ask.request().traceparent())) {
                ASKS.info("ask stored as {}", ask.result().status().wireName());
            }
        }
    }

    /** Positions every assigned partition at its committed offset, dropping what was read since. */
    private void rewind() {
        Set<TopicPartition> assigned = consumer.assignment();
        Map<TopicPartition, OffsetAndMetadata> committed = consumer.committed(assigned);
        for (TopicPartition partition : assigned) {
            OffsetAndMetadata offset = committed.get(partition);
            if (offset == null) {
                consumer.seekToBeginning(List.of(partition));
            } else {
                consumer.seek(partition, offset);
            }
        }
    }

    /** Sends {@code record} to the dead-letter topic, retrying with backoff until it is written. */
    private void deadLetter(ConsumerRecord<String, byte[]> record, SerializationException error)
            throws InterruptedException {
        String source = DeadLetters.source(record);
        String topic = topics.storeDeadLetter().name();
        LOG.warn("unreadable joined ask at {} sent to {}: {}", source, topic, error.getMessage());
        try {
            Backoff.INFRASTRUCTURE.untilDone(
                    "dead-letter " + source,
                    () -> {
                        try {
                            return deadLetters
                                    .send(DeadLetters.letter(topic, record, error))
                                    .get();
                        } catch (ExecutionException e) {
                            // logged as what the broker answered, not as the future's wrapper
                            throw e.getCause() instanceof Exception cause ? cause : e;
                        }
                    },
                    () -> running,
                    LOG);
        } catch (InterruptedException e) {
            if (!running) {
                throw new WakeupException(); // stopped: the loop ends as at any other stop
            }
            throw e;
        }
    }

    /**
     * Commits the offsets after {@code records}. A rebalance that began while they were written
     * refuses the commit; that is harmless, whoever reads them next writes them again.
     */
    private void commit(ConsumerRecords<String, byte[]> records) {
        try {
            consumer.commitSync(records.nextOffsets());
        } catch (CommitFailedException | RebalanceInProgressException e) {
            LOG.info("offsets not committed, a rebalance came first: {}", e.toString());
        }
    }
}
