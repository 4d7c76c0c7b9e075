package io.askpipe.store.sink;

import io.askpipe.common.fault.Fault;
import io.askpipe.common.fault.FaultInjector;
import io.askpipe.common.log.LogContext;
import io.askpipe.common.service.Metrics;
import io.askpipe.schemas.Topics;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.producer.Producer;
import org.jooq.exception.DataAccessException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes the asks' parts into PostgreSQL as they come, from every request topic, {@code
 * ask.progress} and {@code ask.results}: each poll's records in one transaction ({@link
 * AskRepository#write}), which joins them in the table, then their offsets. At least once: a crash
 * between the two writes the poll again, which the forward-only upserts make harmless
 * (docs/adr/0031). While the database fails, the writer keeps its poll, pauses its partitions (so
 * it stays in its group) and tries again with backoff; a rebalance meanwhile drops the poll and
 * rereads from the committed offsets. A record it cannot read goes to {@code ask.store.dlq}. Chaos
 * mode ({@code CHAOS_STORE_FAILURE}) fails a poll's write the same way a failing database does when
 * it strikes any of the poll's asks. The loop is the {@link GroupWriter}'s.
 */
public final class AskWriter implements Runnable {
    /** The line per ask and hop (LOG_ASKS). */
    private static final Logger ASKS = LoggerFactory.getLogger("io.askpipe.store.asks");

    private final AskRepository asks;
    private final Timer storeWrite;
    private final Timer visible;
    private final FaultInjector faults;
    private final GroupWriter<AskPart> loop;

    /**
     * A writer that reads {@code topics}' asks through {@code consumer} (the group's, committing by
     * hand) into {@code asks}, setting unreadable records aside through {@code deadLetters}.
     */
    public AskWriter(
            Consumer<String, byte[]> consumer,
            Producer<byte[], byte[]> deadLetters,
            AskRepository asks,
            Topics topics,
            MeterRegistry registry,
            FaultInjector faults) {
        this.storeWrite = Metrics.stage(registry, "store_write");
        this.visible = Metrics.stage(registry, "visible");
        this.asks = asks;
        this.faults = faults;
        this.loop = new GroupWriter<>(
                "asks",
                sources(topics),
                consumer,
                new AskPartDeserializer(topics),
                this::write,
                deadLetters,
                topics.storeDeadLetter().name());
    }

    /** The topics the writer reads: both request topics, {@code ask.progress} and {@code ask.results}. */
    public static List<String> sources(Topics topics) {
        return AskPartDeserializer.sources(topics);
    }

    @Override
    public void run() {
        loop.run();
    }

    /** Whether the writer holds an assignment of its group; false before it joins and during a rebalance. */
    public boolean inGroup() {
        return loop.inGroup();
    }

    /** Stops the loop; the poll in hand, if any, is written again by whoever reads next. */
    public void stop() {
        loop.stop();
    }

    /** Writes one poll's parts in one transaction, unless chaos mode fails it first. */
    private void write(List<AskPart> parts) {
        long writing = System.nanoTime();
        if (faultStrikes(parts)) {
            throw new DataAccessException("store write failed (injected by chaos mode)");
        }
        List<FinishedAsk> finished = asks.write(parts);
        storeWrite.record(System.nanoTime() - writing, TimeUnit.NANOSECONDS);
        finished.forEach(this::stored);
    }

    /**
     * Whether chaos mode fails this write: the ask of every request in the poll is asked, none
     * skipped, so that each ask meets its own sequence of strikes however the parts were polled and
     * retried. Asks are named by their Idempotency-Keys, which a drill derives from its seed (a
     * request id is new in every run), so the same seed strikes the same places; only a request
     * carries the key, and every ask's request is written at least once.
     */
    private boolean faultStrikes(List<AskPart> parts) {
        boolean struck = false;
        for (AskPart part : parts) {
            if (part instanceof AskPart.Request request) {
                struck |= faults.strikesAgain(
                        Fault.STORE_FAILURE, request.request().idempotencyKey());
            }
        }
        return struck;
    }

    /** Records how long after the router's answer {@code ask} became visible, and says it was stored. */
    private void stored(FinishedAsk ask) {
        Duration after = Duration.between(ask.completedAt(), Instant.now());
        if (!after.isNegative()) {
            visible.record(after);
        }
        if (ASKS.isInfoEnabled()) {
            try (var log = LogContext.of(
                    "request_id",
                    ask.requestId(),
                    "traceparent",
                    ask.traceparent().orElse(null))) {
                ASKS.info("ask stored as {}", ask.status().wireName());
            }
        }
    }
}
