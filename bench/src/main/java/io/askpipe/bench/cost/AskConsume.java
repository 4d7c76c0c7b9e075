package io.askpipe.bench.cost;

import io.askpipe.ingest.publish.AskPublisher;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;

/**
 * The router's fetch of the asks step 3 left on {@code ask.requests}: a consumer of a group with
 * the router's consumer settings (read committed, no auto-commit, the router's records per poll),
 * polling as its consumer loop does and committing as it does, every commit interval and
 * asynchronously, each partition's next offset that moved. The records stay bytes: reading them is
 * step 8's JSON.
 *
 * <p>A backlog drained has no latency of its own, so the latency is probed apart: records are
 * published one at a time and each is timed from its send to the poll that returns it.
 */
final class AskConsume implements Step {
    private static final Duration POLL_TIMEOUT = Duration.ofMillis(50);
    /** Records the latency probe sends, one at a time, at most. */
    static final int PROBES = 1_000;

    private final Consumer<String, byte[]> consumer;
    private final Duration commitInterval;
    private final AskPublisher publisher;
    private final Asks asks;

    private final Map<TopicPartition, Long> next = new HashMap<>();
    private final Map<TopicPartition, Long> committed = new HashMap<>();
    private long lastCommitNanos = System.nanoTime();
    /** Records a poll returned beyond the run it was made for: the next run's first. */
    private int ahead;

    private int polls;
    private int commits;

    /**
     * @param consumer the router's consumer settings, its group new; subscribed here to the asks' topics
     * @param publisher where the latency probe's records are sent, step 3's
     */
    AskConsume(
            Consumer<String, byte[]> consumer,
            List<String> topics,
            Duration commitInterval,
            AskPublisher publisher,
            Asks asks) {
        this.consumer = consumer;
        this.commitInterval = commitInterval;
        this.publisher = publisher;
        this.asks = asks;
        consumer.subscribe(topics);
    }

    @Override
    public Description description() {
        return new Description(
                "4. router: Kafka fetch of the ask, offsets committed every " + commitInterval.toMillis() + " ms",
                "at-least-once: an ask's offset is committed only once its result is acknowledged",
                "one record, from its send to the poll that returns it, one at a time after the drain, which has"
                        + " no latency of its own (includes step 3's acknowledgement)");
    }

    @Override
    public void run(int first, int count, Timings timings) {
        polls = 0;
        commits = 0;
        int consumed = Math.min(ahead, count);
        ahead -= consumed;
        while (consumed < count) {
            int polled = poll().count();
            int taken = Math.min(polled, count - consumed);
            consumed += taken;
            ahead += polled - taken;
        }
    }

    @Override
    public void probeLatency(int first, int count, Timings timings) throws Exception {
        for (int i = first; i < first + Math.min(count, PROBES); i++) {
            String id = asks.request(i).requestId();
            long sent = System.nanoTime();
            publisher.publish(asks.request(i)).get();
            boolean seen = false;
            while (!seen) {
                for (ConsumerRecord<String, byte[]> record : poll()) {
                    seen |= record.key().equals(id);
                }
            }
            timings.add(System.nanoTime() - sent);
        }
    }

    @Override
    public String note() {
        return String.format("%d polls returned records; offset commits: %d", polls, commits);
    }

    /** One poll of the loop, then a commit if one is due; the records returned. */
    private ConsumerRecords<String, byte[]> poll() {
        ConsumerRecords<String, byte[]> records = consumer.poll(POLL_TIMEOUT);
        if (!records.isEmpty()) {
            polls++;
        }
        for (ConsumerRecord<String, byte[]> record : records) {
            next.put(new TopicPartition(record.topic(), record.partition()), record.offset() + 1);
        }
        commitIfDue();
        return records;
    }

    /** As the router's loop: every commit interval, the partitions whose next offset moved, asynchronously. */
    private void commitIfDue() {
        long now = System.nanoTime();
        if (now - lastCommitNanos < commitInterval.toNanos()) {
            return;
        }
        lastCommitNanos = now;
        Map<TopicPartition, OffsetAndMetadata> offsets = new HashMap<>();
        next.forEach((partition, offset) -> {
            if (offset > committed.getOrDefault(partition, -1L)) {
                offsets.put(partition, new OffsetAndMetadata(offset));
            }
        });
        if (!offsets.isEmpty()) {
            commits++;
            consumer.commitAsync(offsets, (done, error) -> {
                if (error == null) {
                    done.forEach((partition, offset) -> committed.merge(partition, offset.offset(), Math::max));
                }
            });
        }
    }

    @Override
    public void close() {
        consumer.close(Duration.ofSeconds(5));
    }
}
