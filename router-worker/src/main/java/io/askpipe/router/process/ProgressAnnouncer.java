package io.askpipe.router.process;

import io.askpipe.schemas.AskProgress;
import io.askpipe.schemas.AskRequest;
import io.askpipe.schemas.AskResult;
import io.askpipe.schemas.Headers;
import io.askpipe.schemas.Topic;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Publishes to {@code ask.progress} that the worker is running an ask, once the ask's backend call
 * has lasted {@code after} (docs/adr/0010): an ask answered sooner goes from queued to its result
 * directly, and costs no progress record, no update of the store's progress table and no row
 * written as running. Thread-safe.
 */
final class ProgressAnnouncer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ProgressAnnouncer.class);

    /** A backend call for an ask, which tells {@code onStart} the first backend before it calls it. */
    @FunctionalInterface
    interface Call {
        AskResult handle(AskRequest request, Consumer<String> onStart) throws InterruptedException;
    }

    private final Producer<byte[], byte[]> producer;
    private final Topic<String, AskProgress> topic;
    private final Duration after;
    private final Clock clock;
    /** Announces that an ask is running, once its backend call has lasted {@code after}. */
    private final ScheduledThreadPoolExecutor announcements = announcer();

    /**
     * @param producer sends the progress records, without waiting for the broker
     * @param after how long a call runs before its ask is announced (zero: as it starts)
     * @param clock the time a progress record says the worker started
     */
    ProgressAnnouncer(
            Producer<byte[], byte[]> producer, Topic<String, AskProgress> topic, Duration after, Clock clock) {
        this.producer = producer;
        this.topic = topic;
        this.after = after;
        this.clock = clock;
    }

    /**
     * Makes {@code call} for {@code request}, announcing the ask as running under the backend it
     * starts with if the call lasts {@code after}; a call that ends sooner cancels the announcement.
     */
    AskResult announcingWhile(AskRequest request, Call call) throws InterruptedException {
        if (after.isZero()) {
            return call.handle(request, backend -> announceRunning(request, backend));
        }
        var announcement = new AtomicReference<ScheduledFuture<?>>();
        try {
            return call.handle(request, backend -> {
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
        String name = topic.name();
        byte[] value = topic.valueSerde()
                .serializer()
                .serialize(name, new AskProgress(request.requestId(), backend, clock.instant()));
        var out = new ProducerRecord<byte[], byte[]>(name, request.requestId().getBytes(StandardCharsets.UTF_8), value);
        out.headers().add(Headers.REQUEST_ID, request.requestId().getBytes(StandardCharsets.UTF_8));
        producer.send(out, (metadata, error) -> {
            if (error != null) {
                LOG.debug("progress of request_id={} not published: {}", request.requestId(), error.toString());
            }
        });
    }

    /** Stops announcing: announcements still waiting are dropped. */
    @Override
    public void close() {
        announcements.shutdownNow();
    }
}
