package io.askpipe.store.sink;

import io.askpipe.common.kafka.DeadLetters;
import io.askpipe.common.retry.Backoff;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
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
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A consumer group's loop that moves topics into PostgreSQL at least once: each poll's records in
 * one call of its {@link Write} (one transaction), then their offsets. A crash between the two
 * writes the poll again, which the write must make harmless. While the write fails, the loop keeps
 * its poll, pauses its partitions (so it stays in its group) and tries again with backoff; a
 * rebalance meanwhile drops the poll and rereads from the committed offsets. A record it cannot
 * read (its deserializer throws a {@link SerializationException}) goes to a dead-letter topic, and
 * the loop carries on; a tombstone is skipped.
 *
 * <p>One thread: {@link #run()} until {@link #stop()}.
 *
 * @param <T> what a record holds
 */
public final class GroupWriter<T> implements Runnable {
    private static final Logger LOG = LoggerFactory.getLogger(GroupWriter.class);
    private static final Duration POLL = Duration.ofMillis(100);

    /** What the loop does with each poll's readable records. */
    @FunctionalInterface
    public interface Write<T> {
        /** Writes {@code batch} in one transaction; throws while it cannot, and is called again. */
        void write(List<T> batch);
    }

    private final String what;
    private final List<String> topics;
    private final Consumer<String, byte[]> consumer;
    private final Deserializer<T> deserializer;
    private final Write<T> write;
    private final Producer<byte[], byte[]> deadLetters;
    private final String deadLetterTopic;
    private volatile boolean running = true;
    private volatile boolean rebalanced;
    private volatile boolean inGroup;

    /**
     * A loop over {@code topics} through {@code consumer} (a group's, committing by hand) that reads
     * each record with {@code deserializer} (which is given the record's topic) and hands each
     * poll's to {@code write}; unreadable records go through {@code deadLetters} to {@code
     * deadLetterTopic}. {@code what} names the records in log lines, in the plural ("batch events").
     */
    public GroupWriter(
            String what,
            Collection<String> topics,
            Consumer<String, byte[]> consumer,
            Deserializer<T> deserializer,
            Write<T> write,
            Producer<byte[], byte[]> deadLetters,
            String deadLetterTopic) {
        this.what = what;
        this.topics = List.copyOf(topics);
        this.consumer = consumer;
        this.deserializer = deserializer;
        this.write = write;
        this.deadLetters = deadLetters;
        this.deadLetterTopic = deadLetterTopic;
    }

    @Override
    public void run() {
        consumer.subscribe(topics, new ConsumerRebalanceListener() {
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
            LOG.error("the writer of {} stopped", what, e);
            throw e;
        } finally {
            consumer.close();
        }
    }

    /** Whether the loop holds an assignment of its group; false before it joins and during a rebalance. */
    public boolean inGroup() {
        return inGroup;
    }

    /** Stops the loop; the poll in hand, if any, is written again by whoever reads next. */
    public void stop() {
        running = false;
        consumer.wakeup();
    }

    private List<T> read(ConsumerRecords<String, byte[]> records) throws InterruptedException {
        List<T> batch = new ArrayList<>(records.count());
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
     * Writes {@code batch}, retrying with backoff while the write fails; returns false when a
     * rebalance came first, after rewinding to the committed offsets so the batch is read again.
     */
    private boolean writeUntilDone(List<T> batch) {
        Backoff.Delays delays = Backoff.INFRASTRUCTURE.delays();
        while (true) {
            Duration backoff;
            try {
                write.write(batch);
                return true;
            } catch (RuntimeException e) {
                if (!running) {
                    throw new WakeupException();
                }
                backoff = delays.next();
                LOG.warn(
                        "writing {} {} failed, retrying in {} ms: {}",
                        batch.size(),
                        what,
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
        LOG.warn("unreadable record of {} at {} sent to {}: {}", what, source, deadLetterTopic, error.getMessage());
        try {
            Backoff.INFRASTRUCTURE.untilDone(
                    "dead-letter " + source,
                    () -> {
                        try {
                            return deadLetters
                                    .send(DeadLetters.letter(deadLetterTopic, record, error))
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
