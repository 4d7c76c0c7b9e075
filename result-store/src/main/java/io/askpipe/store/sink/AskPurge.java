package io.askpipe.store.sink;

import io.askpipe.schemas.Topics;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Deletes asks completed more than {@code STORE_RETENTION} ago, and unfinished asks accepted that
 * long ago (no worker runs them any more), everywhere the result store keeps them: first a
 * tombstone for each on {@code ask.requests} and {@code ask.requests.batch}, {@code ask.results}
 * {@code ask.progress} and {@code ask.cancels} (so compaction removes the prompt and the answer
 * from Kafka), then the row with its webhook deliveries. Tombstones first: an ask whose tombstones
 * did not all land keeps its row and is tried again at the next run, so nothing is deleted from the
 * table and left behind in Kafka. A record of the ask that the writer reads after its row is gone
 * (a replay, a group that reads from the beginning) is harmless: the writer never writes an ask
 * anew past the retention period ({@link AskRepository}).
 */
public final class AskPurge {
    private static final Logger LOG = LoggerFactory.getLogger(AskPurge.class);

    private final AskRepository asks;
    private final Producer<byte[], byte[]> producer;
    private final Topics topics;
    private final Clock clock;
    private final Duration retention;
    private final int batch;
    private final Counter purged;

    public AskPurge(
            AskRepository asks,
            Producer<byte[], byte[]> producer,
            Topics topics,
            Clock clock,
            Duration retention,
            int batch,
            MeterRegistry registry) {
        this.asks = asks;
        this.producer = producer;
        this.topics = topics;
        this.clock = clock;
        this.retention = retention;
        this.batch = batch;
        this.purged = Counter.builder("store_asks_purged")
                .description("Asks deleted by the retention purge, with their records on the compacted topics")
                .register(registry);
    }

    /**
     * Purges every ask that is due, a batch at a time; returns how many went. Throws when Kafka or
     * the database fails; what was purged before stays purged.
     */
    public int run() throws InterruptedException {
        Instant cutoff = clock.instant().minus(retention);
        int total = 0;
        List<String> due;
        do {
            due = asks.expired(cutoff, batch);
            tombstone(due);
            int deleted = asks.delete(due, cutoff);
            purged.increment(deleted);
            total += deleted;
        } while (due.size() == batch);
        if (total > 0) {
            LOG.info("purged {} asks completed before {}", total, cutoff);
        }
        return total;
    }

    /** Sends a tombstone for each of {@code requestIds} to every topic keyed by it; waits for all. */
    private void tombstone(List<String> requestIds) throws InterruptedException {
        // the ask's priority is not kept here: both request topics get the tombstone, and on the
        // one that never held the ask it is compacted away as any other
        List<String> keyed = new ArrayList<>(topics.allRequestNames());
        keyed.add(topics.results().name());
        keyed.add(topics.progress().name());
        // a cancel is kept by compaction until its ask's tombstone says it may go: without it,
        // ask.cancels would grow for ever and every worker would read all of it at start
        keyed.add(topics.cancels().name());
        List<Future<RecordMetadata>> sent = new ArrayList<>(requestIds.size() * keyed.size());
        for (String requestId : requestIds) {
            byte[] key = requestId.getBytes(StandardCharsets.UTF_8);
            for (String topic : keyed) {
                sent.add(producer.send(new ProducerRecord<>(topic, key, null)));
            }
        }
        try {
            for (Future<RecordMetadata> each : sent) {
                each.get();
            }
        } catch (ExecutionException e) {
            throw new IllegalStateException("tombstones for purged asks were not written", e.getCause());
        }
    }
}
