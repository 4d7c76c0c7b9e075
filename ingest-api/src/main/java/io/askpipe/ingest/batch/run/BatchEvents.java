package io.askpipe.ingest.batch.run;

import io.askpipe.ingest.batch.store.Batch;
import io.askpipe.ingest.batch.store.PostgresBatches;
import io.askpipe.schemas.BatchEvent;
import io.askpipe.schemas.Topic;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;

/**
 * Publishes the {@link BatchEvent} of a batch that ended with a callback to {@code
 * ask.batch.events} (keyed by batch id, with the event id fixed at its terminal status) and notes
 * it published once the broker acknowledged it; a publish that fails is tried again by a later
 * pass, with the same id, so the result store delivers one webhook however often it is read.
 */
final class BatchEvents {
    private final Producer<String, BatchEvent> producer;
    private final Topic<String, BatchEvent> topic;
    private final PostgresBatches batches;
    private final Duration timeout;
    private final Clock clock;

    BatchEvents(
            Producer<String, BatchEvent> producer,
            Topic<String, BatchEvent> topic,
            PostgresBatches batches,
            Duration timeout,
            Clock clock) {
        this.producer = producer;
        this.topic = topic;
        this.batches = batches;
        this.timeout = timeout;
        this.clock = clock;
    }

    /** Publishes the event of the ended {@code batch} and waits for its acknowledgement. */
    void publish(Batch batch) throws Exception {
        String eventId = batch.eventId().orElseThrow(() -> new IllegalStateException(batch.id() + " has no event"));
        Instant endedAt =
                batch.timeline().endedAt().orElseThrow(() -> new IllegalStateException(batch.id() + " has not ended"));
        BatchEvent event = new BatchEvent(
                eventId,
                batch.status().eventType(),
                batch.id(),
                batch.userId(),
                batch.callbackUrl().orElseThrow(),
                endedAt);
        producer.send(new ProducerRecord<>(topic.name(), batch.id(), event))
                .get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        batches.eventPublished(batch.id(), clock.instant());
    }
}
