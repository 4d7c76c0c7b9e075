package io.askpipe.ingest;

import io.askpipe.schemas.AskRequest;
import io.askpipe.schemas.Headers;
import io.askpipe.schemas.Topic;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;

/**
 * Publishes accepted asks to {@code ask.requests}, keyed by request id (each accepted ask its own
 * key, so compaction never drops one still unread: docs/adr/0013-asks-keyed-by-request-id.md), and
 * completes when
 * the broker has acknowledged them ({@code acks=all}). {@code send} may block while the producer
 * waits for metadata or buffer space: call it off the event loop (the routes' ledger work and the
 * ledger recovery both run on threads of their own). Thread-safe.
 */
final class AskPublisher {
    private final Producer<String, AskRequest> producer;
    private final Topic<String, AskRequest> topic;

    AskPublisher(Producer<String, AskRequest> producer, Topic<String, AskRequest> topic) {
        this.producer = producer;
        this.topic = topic;
    }

    CompletableFuture<RecordMetadata> publish(AskRequest request) {
        CompletableFuture<RecordMetadata> acked = new CompletableFuture<>();
        ProducerRecord<String, AskRequest> record = new ProducerRecord<>(topic.name(), request.requestId(), request);
        record.headers().add(Headers.REQUEST_ID, request.requestId().getBytes(StandardCharsets.UTF_8));
        if (request.traceparent() != null) {
            record.headers().add(Headers.TRACEPARENT, request.traceparent().getBytes(StandardCharsets.UTF_8));
        }
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
