package io.askpipe.router.consume;

import io.askpipe.common.fault.Fault;
import io.askpipe.common.fault.FaultInjector;
import io.askpipe.common.kafka.DeadLetters;
import io.askpipe.common.log.LogContext;
import io.askpipe.common.service.Metrics;
import io.askpipe.router.process.RouterResults;
import io.askpipe.router.route.AskHandler;
import io.askpipe.schemas.AskProgress;
import io.askpipe.schemas.AskRequest;
import io.askpipe.schemas.AskResult;
import io.askpipe.schemas.Headers;
import io.askpipe.schemas.Topics;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Collection;
import java.util.Deque;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.SerializationException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The consumer loop, with out-of-order completion (docs/adr/0004). Every polled ask is dispatched
 * to a virtual thread as soon as a slot is free; the offset committed per partition is the lowest
 * one still in flight ({@link OffsetTracker}), so hundreds of slow backend calls run concurrently
 * whatever the partition count, and a commit never passes an ask whose result Kafka has not
 * acknowledged. While {@code maxInFlight} asks are running, polled asks wait in order and every
 * partition is paused; a finishing ask wakes the loop to start the next at once.
 *
 * <p>Per ask: an unreadable record goes to the dead-letter topic; an ask that already has a result
 * ({@link RouterResults}) gets that result published again without a backend call; otherwise the
 * {@link AskHandler} answers it, the first result kept for its id is published. An ask older than
 * the retention period is skipped: nobody keeps its answer any more. Database and Kafka
 * faults on the way are retried until they pass or the worker stops, so they hold asks back rather
 * than lose them.
 *
 * <p>On revocation the revoked partitions' work gets {@code grace} to finish and is committed; what
 * is still running is abandoned to the next owner, which finds any result it produced. {@link
 * #stop()} does the same for all partitions; {@link #halt()} stops at once without committing, as
 * a crash would.
 *
 * <p>A fault injector may crash the worker ({@link Fault#WORKER_CRASH}) right after it keeps a
 * fresh result and before it publishes it, the worst moment for a crash: the injector ends the
 * process, or halts this worker in-process, and the ask's thread stops without completing its
 * offset. The redelivered ask finds the kept result, so a crash never repeats.
 *
 * <p>The loop runs on one platform thread; {@code stop} and {@code halt} may be called from any.
 */
public final class RouterWorker implements Runnable {
    private static final Logger LOG = LoggerFactory.getLogger(RouterWorker.class);
    /** The line per ask and hop (LOG_ASKS). */
    private static final Logger ASKS = LoggerFactory.getLogger("io.askpipe.router.asks");

    private static final Duration POLL_TIMEOUT = Duration.ofMillis(50);
    private static final Duration SLOT_WAIT = Duration.ofMillis(20);

    /**
     * The loop's limits; {@code progressAfter} is how long a backend call runs before the ask is
     * announced as running (zero: at once); an ask accepted longer than {@code retention} ago is
     * not run.
     */
    public record Limits(
            int maxInFlight,
            int maxPollRecords,
            Duration commitInterval,
            Duration grace,
            Duration progressAfter,
            Duration retention) {}

    private final Consumer<String, byte[]> consumer;
    private final Producer<String, AskResult> producer;
    /** Sends raw records: dead letters, and progress. */
    private volatile boolean inGroup;

    private final Timer queued;

    private final Timer publish;
    private final Timer dispatch;
    private final Timer inWorker;
    private final Counter pastRetention;
    private final Producer<byte[], byte[]> deadLetters;

    private final Topics topics;
    private final AskHandler handler;
    private final RouterResults results;
    private final Limits limits;
    private final FaultInjector faults;
    /** Whether this worker has crashed already: the first struck ask crashes it, the others only stop. */
    private final java.util.concurrent.atomic.AtomicBoolean crashed = new java.util.concurrent.atomic.AtomicBoolean();

    private final OffsetTracker tracker = new OffsetTracker();
    private final ExecutorService asks = Executors.newVirtualThreadPerTaskExecutor();
    /** Announces that an ask is running, once its backend call has lasted {@code progressAfter}. */
    private final ScheduledThreadPoolExecutor announcements = announcer();
    /** Polled asks not yet started because the in-flight bound was reached; consumer thread only. */
    private final Deque<Polled> pending = new ArrayDeque<>();

    /** A fetched ask waiting for a free slot, and when it was fetched. */
    private record Polled(ConsumerRecord<String, byte[]> record, long polledAtNanos) {
        boolean in(Collection<TopicPartition> partitions) {
            return partitions.contains(new TopicPartition(record.topic(), record.partition()));
        }
    }

    private volatile boolean running = true;
    private volatile boolean halted;
    private long lastCommitNanos = System.nanoTime();

    public RouterWorker(
            Consumer<String, byte[]> consumer,
            Producer<String, AskResult> producer,
            Producer<byte[], byte[]> deadLetters,
            Topics topics,
            AskHandler handler,
            RouterResults results,
            Limits limits,
            MeterRegistry registry,
            FaultInjector faults) {
        this.queued = Metrics.stage(registry, "queued");
        this.publish = Metrics.stage(registry, "publish");
        this.dispatch = Metrics.stage(registry, "dispatch");
        this.inWorker = Metrics.stage(registry, "worker");
        this.pastRetention = Counter.builder("router_asks_past_retention")
                .description("Asks not run because they were accepted longer than ROUTER_RETENTION ago")
                .register(registry);
        this.consumer = consumer;
        this.producer = producer;
        this.deadLetters = deadLetters;
        this.topics = topics;
        this.handler = handler;
        this.results = results;
        this.limits = limits;
        this.faults = faults;
    }

    /**
     * Whether the worker holds an assignment of its group (possibly empty, when the group has more
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
            consumer.subscribe(List.of(topics.requests().name()), new Rebalance());
            while (running) {
                dispatchPending();
                if (pending.isEmpty()) {
                    resumeAll();
                    var polled = consumer.poll(POLL_TIMEOUT);
                    long now = System.nanoTime();
                    polled.forEach(record -> pending.add(new Polled(record, now)));
                } else {
                    // full: hold the partitions, wait for a slot, keep the group membership alive
                    pauseAll();
                    tracker.awaitBelow(limits.maxInFlight(), SLOT_WAIT);
                    consumer.poll(Duration.ZERO);
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
            announcements.shutdownNow();
            consumer.close(halted ? Duration.ZERO : Duration.ofSeconds(10));
            LOG.info("router worker stopped{}", halted ? " abruptly" : "");
        }
    }

    /** Starts as many pending asks as the in-flight bound allows, in offset order. */
    private void dispatchPending() {
        while (!pending.isEmpty() && !halted && tracker.inFlight() < limits.maxInFlight()) {
            Polled next = pending.poll();
            ConsumerRecord<String, byte[]> record = next.record();
            OffsetTracker.Ticket ticket =
                    tracker.started(new TopicPartition(record.topic(), record.partition()), record.offset());
            try {
                asks.execute(() -> {
                    dispatch.record(System.nanoTime() - next.polledAtNanos(), TimeUnit.NANOSECONDS);
                    process(record, ticket, next.polledAtNanos());
                });
            } catch (RejectedExecutionException e) {
                tracker.abandoned(ticket); // halted between the check and the dispatch
            }
        }
    }

    private void pauseAll() {
        Set<TopicPartition> assigned = consumer.assignment();
        if (!consumer.paused().containsAll(assigned)) {
            consumer.pause(assigned);
        }
    }

    private void resumeAll() {
        if (!consumer.paused().isEmpty()) {
            consumer.resume(consumer.paused());
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

    private void process(ConsumerRecord<String, byte[]> record, OffsetTracker.Ticket ticket, long polledAtNanos) {
        try {
            if (record.value() != null) { // a null value is a tombstone of the compacted topic
                handle(record, polledAtNanos);
            }
            tracker.completed(ticket);
        } catch (InterruptedException e) {
            tracker.abandoned(ticket);
        } catch (RuntimeException e) {
            // a bug: leave the offset uncommitted so the ask is retried, and say so loudly
            LOG.error(
                    "ask at {}-{}@{} failed unexpectedly; it stays uncommitted",
                    record.topic(),
                    record.partition(),
                    record.offset(),
                    e);
            tracker.abandoned(ticket);
        }
    }

    private void handle(ConsumerRecord<String, byte[]> record, long polledAtNanos) throws InterruptedException {
        AskRequest request;
        try {
            request = topics.requests().valueSerde().deserializer().deserialize(record.topic(), record.value());
        } catch (SerializationException e) {
            deadLetter(record, e);
            return;
        }
        // every line about this ask, here and in the backends, carries its request id
        try (var log = LogContext.of("request_id", request.requestId(), "traceparent", request.traceparent())) {
            answer(request, polledAtNanos);
        }
    }

    private void answer(AskRequest request, long polledAtNanos) throws InterruptedException {
        Duration waited = Duration.between(request.acceptedAt(), Instant.now());
        if (waited.compareTo(limits.retention()) > 0) {
            // a replay, or a group whose offsets expired reading from the beginning: the result
            // store has purged this ask (or soon will), and router.results its result; running it
            // again would cost a backend call that nobody reads
            pastRetention.increment();
            LOG.debug("ask accepted {} ago is past the retention period; not run", waited);
            return;
        }
        if (!waited.isNegative()) {
            queued.record(waited);
        }
        Optional<AskResult> known =
                untilDone("look up the result of " + request.requestId(), () -> results.find(request.requestId()));
        AskResult result;
        if (known.isPresent()) {
            LOG.info(
                    "ask already answered, publishing its result again request_id={} backend={}",
                    request.requestId(),
                    known.get().backend());
            result = known.get();
        } else {
            AskResult fresh = handleAnnouncingProgress(request);
            result = untilDone("keep the result of " + request.requestId(), () -> results.keepFirst(fresh));
            if (faults.strikes(Fault.WORKER_CRASH, request.idempotencyKey())) {
                crash();
            }
        }
        ProducerRecord<String, AskResult> out =
                new ProducerRecord<>(topics.results().name(), result.reqId(), result);
        out.headers().add(Headers.REQUEST_ID, result.reqId().getBytes(StandardCharsets.UTF_8));
        if (request.traceparent() != null) {
            out.headers().add(Headers.TRACEPARENT, request.traceparent().getBytes(StandardCharsets.UTF_8));
        }
        long publishing = System.nanoTime();
        untilDone(
                "publish the result of " + request.requestId(),
                () -> producer.send(out).get());
        long published = System.nanoTime();
        publish.record(published - publishing, TimeUnit.NANOSECONDS);
        inWorker.record(published - polledAtNanos, TimeUnit.NANOSECONDS);
        try (var log = LogContext.of("backend", result.backend())) {
            ASKS.info(
                    "ask answered: {} in {} ms after {} backend calls",
                    result.status().wireName(),
                    result.latencyMs(),
                    result.attempts());
        }
    }

    /**
     * Crashes the worker as the fault injector says a crash goes, between keeping a result and
     * publishing it. In a process of its own the process halts and this never returns; in-process
     * the injector halts the service from another thread, and the ask's thread stops here without
     * completing its offset.
     */
    private void crash() throws InterruptedException {
        if (crashed.compareAndSet(false, true)) {
            faults.crash();
        }
        throw new InterruptedException("worker crashed (injected by chaos mode)");
    }

    /**
     * Calls the backend for {@code request}, announcing the ask as running if the call lasts {@code
     * progressAfter}: an ask answered sooner goes from queued to its result directly, and costs no
     * progress record, no update of the store's progress table and no row written as running.
     */
    private AskResult handleAnnouncingProgress(AskRequest request) throws InterruptedException {
        Duration after = limits.progressAfter();
        if (after.isZero()) {
            return handler.handle(request, backend -> announceRunning(request, backend));
        }
        var announcement = new AtomicReference<ScheduledFuture<?>>();
        try {
            return handler.handle(request, backend -> {
                try {
                    announcement.set(announcements.schedule(
                            () -> announceRunning(request, backend), after.toNanos(), TimeUnit.NANOSECONDS));
                } catch (RejectedExecutionException e) {
                    // the worker is stopping: there is nothing left to announce to
                }
            });
        } finally {
            ScheduledFuture<?> pending = announcement.get();
            if (pending != null) {
                pending.cancel(false);
            }
        }
    }

    private static ScheduledThreadPoolExecutor announcer() {
        var executor = new ScheduledThreadPoolExecutor(
                1, Thread.ofPlatform().daemon().name("router-progress").factory());
        executor.setRemoveOnCancelPolicy(true); // most announcements are cancelled: don't keep them queued
        return executor;
    }

    /**
     * Publishes that the worker started on {@code request}, without waiting for the broker: the
     * progress is advisory, and a lost record only leaves the ask {@code queued} a little longer.
     */
    private void announceRunning(AskRequest request, String backend) {
        String topic = topics.progress().name();
        byte[] value = topics.progress()
                .valueSerde()
                .serializer()
                .serialize(topic, new AskProgress(request.requestId(), backend, Instant.now()));
        ProducerRecord<byte[], byte[]> out =
                new ProducerRecord<>(topic, request.requestId().getBytes(StandardCharsets.UTF_8), value);
        out.headers().add(Headers.REQUEST_ID, request.requestId().getBytes(StandardCharsets.UTF_8));
        deadLetters.send(out, (metadata, error) -> {
            if (error != null) {
                LOG.debug("progress of request_id={} not published: {}", request.requestId(), error.toString());
            }
        });
    }

    private void deadLetter(ConsumerRecord<String, byte[]> record, SerializationException error)
            throws InterruptedException {
        String source = DeadLetters.source(record);
        LOG.warn(
                "unreadable ask at {} sent to {}: {}",
                source,
                topics.requestsDeadLetter().name(),
                error.getMessage());
        ProducerRecord<byte[], byte[]> out =
                DeadLetters.letter(topics.requestsDeadLetter().name(), record, error);
        untilDone("dead-letter " + source, () -> deadLetters.send(out).get());
    }

    /**
     * Runs an infrastructure step (a query, a publish) until it succeeds, backing off from 100 ms to
     * 5 s between tries; only stopping the worker ends it.
     */
    private <T> T untilDone(String what, Callable<T> step) throws InterruptedException {
        long backoffMs = 100;
        while (true) {
            try {
                return step.call();
            } catch (InterruptedException e) {
                throw e;
            } catch (Exception e) {
                if (!running) {
                    throw new InterruptedException("worker stopping");
                }
                LOG.warn("could not {} ({}); retrying in {} ms", what, e.toString(), backoffMs);
                Thread.sleep(backoffMs);
                backoffMs = Math.min(backoffMs * 2, 5_000);
            }
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
     * Waits until no ask thread runs any more, once the worker is stopping: the database pool and
     * the producers may be closed only then. Closing the pool while an interrupted ask still hands
     * its connection back can leave that ask spinning in the pool for ever.
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
