package io.askpipe.ingest.publish;

import io.askpipe.schemas.AskCancel;
import io.askpipe.schemas.Headers;
import io.askpipe.schemas.Topic;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;

/**
 * Publishes owners' cancels to {@code ask.cancels}, keyed by request id, and completes when the
 * broker has acknowledged them. {@code send} may block for metadata: call it off the event loop.
 * Thread-safe.
 */
public final class CancelPublisher {
    private final Producer<String, AskCancel> producer;
    private final Topic<String, AskCancel> topic;

    public CancelPublisher(Producer<String, AskCancel> producer, Topic<String, AskCancel> topic) {
        this.producer = producer;
        this.topic = topic;
    }

    /** Sends {@code cancel}; the future ends when the broker acknowledged it, or failed. */
    public CompletableFuture<RecordMetadata> publish(AskCancel cancel) {
        CompletableFuture<RecordMetadata> acked = new CompletableFuture<>();
        ProducerRecord<String, AskCancel> record = new ProducerRecord<>(topic.name(), cancel.reqId(), cancel);
        record.headers().add(Headers.REQUEST_ID, cancel.reqId().getBytes(StandardCharsets.UTF_8));
        try {
            producer.send(record, (metadata, error) -> {
                if (error != null) {
                    acked.completeExceptionally(error);
                } else {
                    acked.complete(metadata);
                }
            });
        } catch (RuntimeException e) {
            acked.completeExceptionally(e);
        }
        return acked;
    }
}
