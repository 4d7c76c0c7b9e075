package io.askpipe.store.sink;

import io.askpipe.common.fault.Fault;
import io.askpipe.common.fault.FaultInjector;
import io.askpipe.common.log.LogContext;
import io.askpipe.common.service.Metrics;
import io.askpipe.schemas.JoinedAsk;
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
 * Writes the asks the topology joined ({@code ask.joined}) into PostgreSQL: each poll's records in
 * one transaction ({@link AskRepository#write}), then their offsets. At least once: a crash between
 * the two writes the batch again, which the upserts make harmless. While the database fails, the
 * writer keeps its batch, pauses its partitions (so it stays in its group) and tries again with
 * backoff; a rebalance meanwhile drops the batch and rereads from the committed offsets. A record it
 * cannot read goes to {@code ask.store.dlq}. Chaos mode ({@code CHAOS_STORE_FAILURE}) fails a
 * batch's write the same way a failing database does when it strikes any of the batch's asks.
 *
 * <p>The loop is the {@link GroupWriter}'s; written by hand on a plain consumer rather than inside
 * the Streams application because Kafka Streams offers no hook before it commits: only a write per
 * record there is safe, and that capped the store at the database's single-row rate
 * (docs/adr/0007-batched-result-writes.md).
 */
public final class AskWriter implements Runnable {
    /** The line per ask and hop (LOG_ASKS). */
    private static final Logger ASKS = LoggerFactory.getLogger("io.askpipe.store.asks");

    private final AskRepository asks;
    private final Timer storeWrite;
    private final Timer visible;
    private final FaultInjector faults;
    private final GroupWriter<JoinedAsk> loop;

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
                "joined asks",
                topics.joined().name(),
                consumer,
                topics.joined().valueSerde().deserializer(),
                this::write,
                deadLetters,
                topics.storeDeadLetter().name());
    }

    @Override
    public void run() {
        loop.run();
    }

    /** Whether the writer holds an assignment of its group; false before it joins and during a rebalance. */
    public boolean inGroup() {
        return loop.inGroup();
    }

    /** Stops the loop; the batch in hand, if any, is written again by whoever reads next. */
    public void stop() {
        loop.stop();
    }

    /** Writes one poll's asks in one transaction, unless chaos mode fails it first. */
    private void write(List<JoinedAsk> batch) {
        long writing = System.nanoTime();
        if (faultStrikes(batch)) {
            throw new DataAccessException("store write failed (injected by chaos mode)");
        }
        List<JoinedAsk> finished = asks.write(batch);
        storeWrite.record(System.nanoTime() - writing, TimeUnit.NANOSECONDS);
        finished.forEach(this::stored);
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
}
