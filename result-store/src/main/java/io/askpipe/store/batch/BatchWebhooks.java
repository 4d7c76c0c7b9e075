package io.askpipe.store.batch;

import io.askpipe.schemas.BatchEvent;
import io.askpipe.store.webhook.WebhookDeliveries;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import org.jooq.DSLContext;
import org.jooq.impl.DSL;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Adds the webhook of each batch event to the outbox, a poll's events in one transaction: one
 * delivery per event id, so an event read again adds nothing. An event from before the retention
 * period ({@code STORE_RETENTION}) is left out: its delivery is one the purge has deleted or may
 * delete, so a group that reads the topic from its beginning again (its offsets expired) does not
 * send old webhooks again. Thread-safe.
 */
final class BatchWebhooks {
    private static final Logger LOG = LoggerFactory.getLogger(BatchWebhooks.class);

    private final DSLContext db;
    private final Clock clock;
    private final Duration retention;
    private final Counter queued;
    private final Counter duplicate;
    private final Counter pastRetention;

    BatchWebhooks(DSLContext db, Clock clock, Duration retention, MeterRegistry registry) {
        this.db = db;
        this.clock = clock;
        this.retention = retention;
        this.queued = counter(registry, "queued");
        this.duplicate = counter(registry, "duplicate");
        this.pastRetention = counter(registry, "past_retention");
    }

    private static Counter counter(MeterRegistry registry, String outcome) {
        return Counter.builder("store_batch_events")
                .description("Batch events read from ask.batch.events by what came of them: queued (a webhook"
                        + " delivery added), duplicate (it had one), past_retention (left out)")
                .tag("outcome", outcome)
                .register(registry);
    }

    /** Adds a delivery for each of {@code events} that has none, in one transaction; throws if it cannot. */
    void add(List<BatchEvent> events) {
        if (events.isEmpty()) {
            return;
        }
        Instant now = clock.instant();
        Instant horizon = now.minus(retention);
        // in id order, so that two instances briefly reading the same events (a rebalance) insert
        // them in the same order and do not deadlock
        List<BatchEvent> current = events.stream()
                .filter(e -> !e.createdAt().isBefore(horizon))
                .sorted(Comparator.comparing(BatchEvent::eventId))
                .toList();
        int added = current.isEmpty()
                ? 0
                : db.transactionResult(configuration -> enqueue(DSL.using(configuration), current, now));
        queued.increment(added);
        duplicate.increment(current.size() - added);
        pastRetention.increment(events.size() - current.size());
        if (events.size() > current.size()) {
            LOG.debug(
                    "left out {} batch events from before the retention period ({})",
                    events.size() - current.size(),
                    horizon);
        }
    }

    /** Adds the delivery of each of {@code events} that has none, within {@code tx}; returns how many it added. */
    private static int enqueue(DSLContext tx, List<BatchEvent> events, Instant now) {
        int added = 0;
        for (BatchEvent event : events) {
            if (WebhookDeliveries.enqueueBatchEvent(
                    tx,
                    event.eventId(),
                    event.batchId(),
                    event.userId(),
                    event.callbackUrl(),
                    BatchWebhookEvent.of(event).json(),
                    now)) {
                added++;
            }
        }
        return added;
    }
}
