package io.askpipe.router.consume;

import io.askpipe.common.service.Metrics;
import io.askpipe.schemas.AskRequest;
import io.askpipe.schemas.Priority;
import io.askpipe.schemas.Topics;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The consumer loop of {@code ask.requests} and {@code ask.requests.batch}, which hands every polled
 * ask to a {@link Processor} on a virtual thread of its own and commits, per partition, the lowest
 * offset still in flight.
 *
 * <p>Out-of-order completion (docs/adr/0004): an ask is dispatched as soon as a slot is free, and
 * the committed offset never passes an ask whose processing has not finished ({@link
 * OffsetTracker}), so hundreds of slow backend calls run concurrently whatever the partition count.
 * Polled asks that find no slot wait, and {@link PendingAsks} says which goes next: interactive
 * ones first, batch ones at least one start in {@link Priority#BATCH_ONE_IN} and never in more than
 * their share of the slots (docs/adr/0028). The partitions of a topic are paused while asks of its
 * priority wait, each topic on its own: a batch backlog waiting for its share leaves the
 * interactive partitions fetching, so an interactive ask is read, and started, at once. A finishing
 * ask wakes the loop to start the next at once. A record that does not read
 * goes to the dead-letter topic ({@link AskReader}); a processor that is interrupted, or throws,
 * leaves its offset uncommitted, so the ask is redelivered.
 *
 * <p>On revocation the revoked partitions' work gets {@code grace} to finish and is committed; what
 * is still running is abandoned to the next owner. {@link #stop()} does the same for all
 * partitions; {@link #halt()} stops at once without committing, as a crash would.
 *
 * <p>The loop runs on one platform thread; {@code stop} and {@code halt} may be called from any.
 */
public final class ConsumerLoop implements Runnable {
    private static final Logger LOG = LoggerFactory.getLogger(ConsumerLoop.class);

    private static final Duration POLL_TIMEOUT = Duration.ofMillis(50);
    private static final Duration SLOT_WAIT = Duration.ofMillis(20);
    /** How long a poll waits while batch asks wait for their share: how soon a freed slot is seen. */
    private static final Duration SHARE_WAIT = Duration.ofMillis(5);

    /** What the loop does with one ask it read; runs on the ask's own virtual thread. */
    @FunctionalInterface
    public interface Processor {
        /**
         * Processes {@code ask}, fetched at {@code polledAtNanos} ({@link System#nanoTime()}); its
         * offset may be committed once this returns.
         *
         * @throws InterruptedException to abandon the ask: its offset stays uncommitted
         */
        void process(AskRequest ask, long polledAtNanos) throws InterruptedException;
    }

    /**
     * The loop's limits.
     *
     * @param maxInFlight asks processed at once
     * @param commitInterval how often finished offsets are committed
     * @param grace how long running asks may finish when partitions are revoked or the loop stops
     */
    public record Limits(int maxInFlight, Duration commitInterval, Duration grace) {}

    private final Consumer<String, byte[]> consumer;
    private final String topic;
    private final String batchTopic;
    private final AskReader reader;
    private final Processor processor;
    private final Limits limits;
    private final Timer dispatch;
    private final Timer dispatchBatch;

    private final OffsetTracker tracker = new OffsetTracker();
    private final ExecutorService asks = Executors.newVirtualThreadPerTaskExecutor();
    /** Polled asks not yet started for want of a slot; consumer thread only. */
    private final PendingAsks<Polled> pending;
    /** Batch asks dispatched and not yet ended (completed, abandoned or failed). */
    private final AtomicInteger batchInFlight = new AtomicInteger();

    /** A fetched ask waiting for a free slot, its priority (by its topic), and when it was fetched. */
    private record Polled(ConsumerRecord<String, byte[]> record, Priority priority, long polledAtNanos) {
        boolean in(Collection<TopicPartition> partitions) {
            return partitions.contains(new TopicPartition(record.topic(), record.partition()));
        }
    }

    private volatile boolean inGroup;
    private volatile boolean running = true;
    private volatile boolean halted;
    private long lastCommitNanos = System.nanoTime();

    /**
     * @param consumer the consumer of the worker's group, not yet subscribed; the loop closes it
     * @param deadLetters where records that do not read are sent ({@code ask.requests.dlq}), from
     *     either topic
     */
    public ConsumerLoop(
            Consumer<String, byte[]> consumer,
            Producer<byte[], byte[]> deadLetters,
            Topics topics,
            Processor processor,
            Limits limits,
            MeterRegistry registry) {
        this.consumer = consumer;
        this.topic = topics.requests().name();
        this.batchTopic = topics.batchRequests().name();
        this.pending = new PendingAsks<>(limits.maxInFlight());
        this.reader = new AskReader(topics, deadLetters, () -> running);
        this.processor = processor;
        this.limits = limits;
        this.dispatch = Metrics.stage(registry, "dispatch");
        this.dispatchBatch = Metrics.stage(registry, "dispatch_batch");
    }

    /**
     * The most in-flight slots batch asks may hold of {@code maxInFlight}: all but a reserve of
     * {@value PendingAsks#INTERACTIVE_RESERVE_PERCENT}% (rounded down, at least one of two or more)
     * kept for interactive asks.
     */
    public static int batchSlots(int maxInFlight) {
        return PendingAsks.batchSlots(maxInFlight);
    }

    /**
     * Whether the loop holds an assignment of its group (possibly empty, when the group has more
     * workers than partitions): false before it first joins and while a rebalance moves partitions.
     */
    public boolean inGroup() {
        return inGroup;
    }

    /** Asks dispatched and not finished, for the in-flight gauge. */
    public int inFlight() {
        return tracker.inFlight();
    }

    @Override
    public void run() {
        try {
            consumer.subscribe(List.of(topic, batchTopic), new Rebalance());
            while (running) {
                dispatchPending();
                holdWhileWaiting();
                ConsumerRecords<String, byte[]> polled;
                if (pending.isEmpty()) {
                    polled = consumer.poll(POLL_TIMEOUT);
                } else if (pending.waiting(Priority.INTERACTIVE) > 0) {
                    // full: wait for a slot, keep the group membership alive
                    tracker.awaitBelow(limits.maxInFlight(), SLOT_WAIT);
                    polled = consumer.poll(Duration.ZERO);
                } else {
                    // batch asks wait for their share: interactive ones are still read as they come
                    polled = consumer.poll(SHARE_WAIT);
                }
                long now = System.nanoTime();
                for (ConsumerRecord<String, byte[]> record : polled) {
                    Priority priority = priorityOf(record.topic());
                    pending.add(priority, new Polled(record, priority, now));
                }
                commitIfDue();
            }
            pending.clear(); // never started, never committed: the next owner gets them
            if (!halted) {
                drainAndCommit(consumer.assignment());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            asks.shutdownNow(); // what is still running is handed back: its offsets stay uncommitted
            consumer.close(halted ? Duration.ZERO : Duration.ofSeconds(10));
            LOG.info("router worker stopped{}", halted ? " abruptly" : "");
        }
    }

    private Priority priorityOf(String recordTopic) {
        return recordTopic.equals(batchTopic) ? Priority.BATCH : Priority.INTERACTIVE;
    }

    /**
     * Starts as many pending asks as the in-flight bound and the batch share allow, in the order
     * {@link PendingAsks} gives (each partition's in offset order).
     */
    private void dispatchPending() {
        while (!halted && tracker.inFlight() < limits.maxInFlight()) {
            Optional<Polled> taken = pending.next(batchInFlight.get());
            if (taken.isEmpty()) {
                return;
            }
            Polled next = taken.get();
            ConsumerRecord<String, byte[]> record = next.record();
            Slot slot = new Slot(
                    tracker.started(new TopicPartition(record.topic(), record.partition()), record.offset()),
                    next.priority() == Priority.BATCH);
            if (slot.batch()) {
                batchInFlight.incrementAndGet();
            }
            Timer waited = slot.batch() ? dispatchBatch : dispatch;
            try {
                asks.execute(() -> {
                    waited.record(System.nanoTime() - next.polledAtNanos(), TimeUnit.NANOSECONDS);
                    process(record, slot, next.polledAtNanos());
                });
            } catch (RejectedExecutionException e) {
                abandoned(slot); // halted between the check and the dispatch
            }
        }
    }

    /**
     * Pauses the partitions of each topic whose asks wait for a slot (they have enough: more
     * fetched would only wait too) and resumes those of a topic whose asks all started.
     */
    private void holdWhileWaiting() {
        Set<TopicPartition> paused = consumer.paused();
        List<TopicPartition> pause = new ArrayList<>();
        List<TopicPartition> resume = new ArrayList<>();
        for (TopicPartition partition : consumer.assignment()) {
            boolean waiting = pending.waiting(priorityOf(partition.topic())) > 0;
            if (waiting && !paused.contains(partition)) {
                pause.add(partition);
            } else if (!waiting && paused.contains(partition)) {
                resume.add(partition);
            }
        }
        if (!pause.isEmpty()) {
            consumer.pause(pause);
        }
        if (!resume.isEmpty()) {
            consumer.resume(resume);
        }
    }

    private void commitIfDue() {
        long now = System.nanoTime();
        if (now - lastCommitNanos < limits.commitInterval().toNanos()) {
            return;
        }
        lastCommitNanos = now;
        Map<TopicPartition, OffsetAndMetadata> offsets = tracker.committable();
        if (!offsets.isEmpty()) {
            consumer.commitAsync(offsets, (committed, error) -> {
                if (error == null) {
                    tracker.committed(committed);
                } else {
                    LOG.debug("offset commit failed, retrying on the next interval: {}", error.toString());
                }
            });
        }
    }

    private void drainAndCommit(Collection<TopicPartition> partitions) throws InterruptedException {
        Set<TopicPartition> set = new HashSet<>(partitions);
        if (!tracker.awaitDrained(set, limits.grace().toMillis())) {
            LOG.warn(
                    "{} asks still running after the {} ms grace; handing them back",
                    set.stream().mapToInt(tracker::inFlight).sum(),
                    limits.grace().toMillis());
        }
        Map<TopicPartition, OffsetAndMetadata> offsets = tracker.committable();
        offsets.keySet().retainAll(set);
        if (!offsets.isEmpty()) {
            consumer.commitSync(offsets);
            tracker.committed(offsets);
        }
        tracker.forget(set);
    }

    /** A started ask's hold on its slot: its offset's ticket, and whether it counts as batch. */
    private record Slot(OffsetTracker.Ticket ticket, boolean batch) {}

    /** Frees {@code slot}, its offset done; the batch count first, so the woken loop sees it. */
    private void completed(Slot slot) {
        if (slot.batch()) {
            batchInFlight.decrementAndGet();
        }
        tracker.completed(slot.ticket());
    }

    /** Frees {@code slot}, its offset left uncommitted. */
    private void abandoned(Slot slot) {
        if (slot.batch()) {
            batchInFlight.decrementAndGet();
        }
        tracker.abandoned(slot.ticket());
    }

    /** One record on its own thread: read, processed, and its offset completed or abandoned. */
    private void process(ConsumerRecord<String, byte[]> record, Slot slot, long polledAtNanos) {
        try {
            Optional<AskRequest> ask = reader.read(record);
            if (ask.isPresent()) {
                processor.process(ask.get(), polledAtNanos);
            }
            completed(slot);
        } catch (InterruptedException e) {
            abandoned(slot);
        } catch (RuntimeException e) {
            // a bug: leave the offset uncommitted so the ask is retried, and say so loudly
            LOG.error(
                    "ask at {}-{}@{} failed unexpectedly; it stays uncommitted",
                    record.topic(),
                    record.partition(),
                    record.offset(),
                    e);
            abandoned(slot);
        }
    }

    /**
     * Finishes in-flight work within the grace period, commits, hands the rest back and stops. The
     * loop notices within one poll timeout; no wakeup is used, so no blocking call of the drain can
     * be cut short by one.
     */
    public void stop() {
        running = false;
    }

    /** Stops at once without committing anything more, as a crash would: running asks are interrupted. */
    public void halt() {
        halted = true;
        running = false;
        asks.shutdownNow();
    }

    /**
     * Waits until no ask thread runs any more, once the loop is stopping: what the asks use (the
     * database pool, the producers) may be closed only then. Closing the pool while an interrupted
     * ask still hands its connection back can leave that ask spinning in the pool for ever.
     *
     * @return whether every ask thread ended within {@code timeout}
     */
    public boolean awaitAsksEnded(Duration timeout) throws InterruptedException {
        return asks.awaitTermination(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    private final class Rebalance implements ConsumerRebalanceListener {
        @Override
        public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
            inGroup = false;
            pending.removeIf(waiting -> waiting.in(partitions));
            if (halted || partitions.isEmpty()) {
                return;
            }
            try {
                drainAndCommit(partitions);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }

        @Override
        public void onPartitionsLost(Collection<TopicPartition> partitions) {
            inGroup = false;
            pending.removeIf(waiting -> waiting.in(partitions));
            tracker.forget(new HashSet<>(partitions)); // no longer ours: nothing may be committed
        }

        @Override
        public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
            inGroup = true;
        }
    }
}
