package io.askpipe.ingest.publish;

import io.askpipe.schemas.AskRequest;
import io.askpipe.schemas.Headers;
import io.askpipe.schemas.Topic;
import io.askpipe.schemas.Topics;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.apache.kafka.common.errors.SerializationException;

/**
 * Publishes accepted asks to the topic of their priority ({@code ask.requests}, or {@code
 * ask.requests.batch} for batch asks: docs/adr/0028), keyed by request id (each accepted ask its own
 * key, so compaction never drops one still unread: docs/adr/0013-asks-keyed-by-request-id.md), and
 * completes when
 * the broker has acknowledged them ({@code acks=all}). {@code send} may block while the producer
 * waits for metadata or buffer space: call it off the event loop (the routes' ledger work and the
 * ledger recovery both run on threads of their own). Thread-safe.
 *
 * <p>Whether a failed publish may succeed later is decided here, once: an ask the broker refuses
 * for its size, or that does not serialize, fails with {@link Unpublishable} and never will; any
 * other failure (a timeout, a broker away, too few replicas) is transient.
 */
public final class AskPublisher {
    private final Producer<String, AskRequest> producer;
    private final Topics topics;

    /** @param topics where asks go, by {@link Topics#requests(io.askpipe.schemas.Priority)} */
    public AskPublisher(Producer<String, AskRequest> producer, Topics topics) {
        this.producer = producer;
        this.topics = topics;
    }

    public CompletableFuture<RecordMetadata> publish(AskRequest request) {
        CompletableFuture<RecordMetadata> acked = new CompletableFuture<>();
        Topic<String, AskRequest> topic = topics.requests(request.priority());
        ProducerRecord<String, AskRequest> record = new ProducerRecord<>(topic.name(), request.requestId(), request);
        record.headers().add(Headers.REQUEST_ID, request.requestId().getBytes(StandardCharsets.UTF_8));
        if (request.traceparent() != null) {
            record.headers().add(Headers.TRACEPARENT, request.traceparent().getBytes(StandardCharsets.UTF_8));
        }
        try {
            producer.send(record, (metadata, error) -> {
                if (error != null) {
                    acked.completeExceptionally(classified(error));
                } else {
                    acked.complete(metadata);
                }
            });
        } catch (RuntimeException e) {
            acked.completeExceptionally(classified(e));
        }
        return acked;
    }

    /** A publish that can never succeed, whatever the broker does: retrying it is pointless. */
    public static final class Unpublishable extends RuntimeException {
        private final String reason;

        public Unpublishable(String reason, Throwable cause) {
            super(reason + ": " + cause, cause);
            this.reason = reason;
        }

        /** {@code too_large} or {@code unserializable}; the label of the failure metrics. */
        String reason() {
            return reason;
        }
    }

    /** The reason {@code failure} (or one of its causes) can never succeed, if that is what it is. */
    public static Optional<String> permanentFailure(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (t instanceof Unpublishable unpublishable) {
                return Optional.of(unpublishable.reason());
            }
        }
        return Optional.empty();
    }

    private static Throwable classified(Throwable error) {
        return switch (error) {
            case RecordTooLargeException e -> new Unpublishable("too_large", e);
            case SerializationException e -> new Unpublishable("unserializable", e);
            default -> error;
        };
    }
}
