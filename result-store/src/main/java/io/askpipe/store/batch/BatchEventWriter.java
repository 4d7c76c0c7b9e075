package io.askpipe.store.batch;

import io.askpipe.common.callback.CallbackPolicy;
import io.askpipe.schemas.BatchEvent;
import io.askpipe.schemas.Topics;
import io.askpipe.store.sink.GroupWriter;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Deserializer;
import org.jooq.DSLContext;

/**
 * The result store's consumer group on {@code ask.batch.events}: each poll's events become webhook
 * deliveries in the outbox in one transaction ({@link BatchWebhooks}), then their offsets are
 * committed, so an event is queued at least once and, keyed by its id, delivered once. A record
 * it cannot read, or whose fields would not fit the outbox, goes to {@code ask.store.dlq}, and the
 * group carries on. The loop is the {@link GroupWriter}'s; one thread: {@link #run()} until
 * {@link #stop()}.
 */
public final class BatchEventWriter implements Runnable {
    /** The prefix of an event's id, which keeps events' webhook-ids apart from asks' ({@code msg_}). */
    private static final String EVENT_PREFIX = "evt_";

    private final GroupWriter<BatchEvent> loop;

    /**
     * Reads {@code topics}' batch events through {@code consumer} (the group's, committing by hand)
     * into the outbox through {@code db}, leaving out events older than {@code retention}; sets
     * unreadable records aside on the store's dead-letter topic through {@code deadLetters}.
     */
    public BatchEventWriter(
            Consumer<String, byte[]> consumer,
            Producer<byte[], byte[]> deadLetters,
            DSLContext db,
            Topics topics,
            Clock clock,
            Duration retention,
            MeterRegistry registry) {
        Deserializer<BatchEvent> json = topics.batchEvents().valueSerde().deserializer();
        BatchWebhooks webhooks = new BatchWebhooks(db, clock, retention, registry);
        this.loop = new GroupWriter<>(
                "batch events",
                List.of(topics.batchEvents().name()),
                consumer,
                (topic, value) -> fitting(json.deserialize(topic, value), topic),
                webhooks::add,
                deadLetters,
                topics.storeDeadLetter().name());
    }

    @Override
    public void run() {
        loop.run();
    }

    /** Whether the group has given this instance its partitions; false before it joins and during a rebalance. */
    public boolean inGroup() {
        return loop.inGroup();
    }

    /** Stops the loop; the events in hand, if any, are read again by whoever reads next. */
    public void stop() {
        loop.stop();
    }

    /**
     * {@code event} if the outbox can hold it: an event id of {@code evt_} and at most 64 characters,
     * a batch id of at most 64, a user id of at most 128 and a callback URL of at most 2048; else a
     * {@link SerializationException}, as for a record that is not an event at all. Such an event
     * would otherwise fail its transaction at every try and hold up every event behind it.
     */
    static BatchEvent fitting(BatchEvent event, String topic) {
        Optional<String> problem = problem(event);
        if (problem.isPresent()) {
            throw new SerializationException(
                    "record on " + topic + " is a BatchEvent the outbox cannot hold: " + problem.get());
        }
        return event;
    }

    private static Optional<String> problem(BatchEvent event) {
        if (!event.eventId().startsWith(EVENT_PREFIX) || event.eventId().length() > 64) {
            return Optional.of("event_id must be evt_ and at most 60 more characters");
        }
        if (event.batchId().length() > 64) {
            return Optional.of("batch_id is longer than 64 characters");
        }
        if (event.userId().length() > 128) {
            return Optional.of("user_id is longer than 128 characters");
        }
        if (event.callbackUrl().length() > CallbackPolicy.MAX_LENGTH) {
            return Optional.of("callback_url is longer than " + CallbackPolicy.MAX_LENGTH + " characters");
        }
        return Optional.empty();
    }
}
