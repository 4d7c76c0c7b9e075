package io.askpipe.router.process;

import io.askpipe.common.kafka.AskSizes;
import io.askpipe.common.kafka.PollLoop;
import io.askpipe.common.retry.Backoff;
import io.askpipe.router.route.Routing;
import io.askpipe.schemas.AskCancel;
import io.askpipe.schemas.AskResult;
import io.askpipe.schemas.AskStatus;
import io.askpipe.schemas.Topic;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.function.BooleanSupplier;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.Producer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Ends each cancelled ask once, wherever it is: a consumer group over {@code ask.cancels} (one
 * worker per cancel) that keeps the ask's cancelled result first ({@link RouterResults#keepFirst})
 * and publishes what is kept to {@code ask.results}. An ask still waiting behind a backlog thus
 * ends {@code cancelled} at once, and the worker that later takes it finds that result and calls
 * no backend; an ask that had ended otherwise keeps its result, which is published again, so the
 * cancel's waiter at ingest learns how it ended. A cancel of an ask past {@code ROUTER_RETENTION}
 * is ignored: its result may be purged, and its ask is not run any more. Offsets are committed
 * once every cancel of a poll is published. One platform thread ({@link PollLoop}).
 */
public final class CancelSettler implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(CancelSettler.class);
    private static final Duration POLL = Duration.ofMillis(100);

    private final Consumer<String, byte[]> consumer;
    private final Topic<String, AskCancel> topic;
    private final RouterResults results;
    private final ResultPublisher publisher;
    private final ResultSizeLimit sizeLimit;
    private final Routing routing;
    private final Duration retention;
    private final Clock clock;
    private final MeterRegistry registry;
    private PollLoop<String, byte[]> loop;

    /**
     * @param consumer a consumer of the workers' cancel group, not yet subscribed; the settler
     *     closes it
     * @param sizes the largest result published as it is: what is kept is published as the worker
     *     that answered published it ({@link ResultSizeLimit}), never larger
     */
    public CancelSettler(
            Consumer<String, byte[]> consumer,
            Topic<String, AskCancel> topic,
            RouterResults results,
            Producer<String, AskResult> resultProducer,
            Topic<String, AskResult> resultTopic,
            AskSizes sizes,
            Routing routing,
            Duration retention,
            Clock clock,
            MeterRegistry registry) {
        this.consumer = consumer;
        this.topic = topic;
        this.results = results;
        this.publisher = new ResultPublisher(resultProducer, resultTopic.name());
        this.sizeLimit = new ResultSizeLimit(resultTopic, sizes);
        this.routing = routing;
        this.retention = retention;
        this.clock = clock;
        this.registry = registry;
    }

    /** Starts settling on a thread of its own. */
    public CancelSettler start() {
        consumer.subscribe(List.of(topic.name()));
        // a failed commit after a rebalance, a broker away: what was not committed is settled
        // again, which keepFirst makes harmless
        loop = PollLoop.start("router-cancel-settler", consumer, POLL, "settling cancels", (records, running) -> {
            for (ConsumerRecord<String, byte[]> record : records) {
                settle(record, running);
            }
            if (!records.isEmpty()) {
                consumer.commitSync();
            }
        });
        return this;
    }

    private void settle(ConsumerRecord<String, byte[]> record, BooleanSupplier running) throws InterruptedException {
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
        if (cancel.acceptedAt().plus(retention).isBefore(clock.instant())) {
            count("past_retention");
            return;
        }
        AskResult candidate = AskResult.cancelled(
                cancel.reqId(),
                routing.primary(cancel.backend(), cancel.model()),
                cancel.model(),
                "the ask was cancelled by its owner",
                0,
                0,
                cancel.cancelledAt());
        AskResult kept = untilDone("keep the cancel of " + cancel.reqId(), () -> results.keepFirst(candidate), running);
        // an answer kept first is published as its worker published it: one too large for Kafka
        // as the failure that says so, never as itself
        AskResult fitting = sizeLimit.fit(kept);
        untilDone(
                "publish the result of " + cancel.reqId(),
                () -> publisher.send(fitting, null).get(),
                running);
        count(kept.status() == AskStatus.CANCELLED ? "cancelled" : "already_ended");
        LOG.info(
                "cancel settled request_id={} status={}",
                cancel.reqId(),
                kept.status().wireName());
    }

    private void count(String outcome) {
        Counter.builder("router_cancels_settled")
                .description("Cancels this worker settled, by outcome: cancelled, already_ended, past_retention")
                .tag("outcome", outcome)
                .register(registry)
                .increment();
    }

    private static <T> T untilDone(String what, Callable<T> step, BooleanSupplier running) throws InterruptedException {
        return Backoff.INFRASTRUCTURE.untilDone(what, step, running, LOG);
    }

    /** Stops settling: the cancels not yet committed are settled by the group's other workers, or again. */
    @Override
    public void close() {
        if (loop != null) {
            loop.close();
        } else {
            consumer.close(Duration.ZERO);
        }
    }
}
