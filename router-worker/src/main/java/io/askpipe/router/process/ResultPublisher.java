package io.askpipe.router.process;

import io.askpipe.schemas.AskRequest;
import io.askpipe.schemas.AskResult;
import io.askpipe.schemas.Headers;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Future;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;

/**
 * Sends an ask's result to {@code ask.results}, keyed by its request id and carrying the request id
 * and the ask's {@code traceparent} as headers. Thread-safe.
 */
final class ResultPublisher {
    private final Producer<String, AskResult> producer;
    private final String topic;

    ResultPublisher(Producer<String, AskResult> producer, String topic) {
        this.producer = producer;
        this.topic = topic;
    }

    /** Sends {@code result}, the answer to {@code request}; the future ends when the broker acknowledges it. */
    Future<RecordMetadata> send(AskRequest request, AskResult result) {
        return send(result, request.traceparent());
    }

    /**
     * Sends {@code result} with the trace context {@code traceparent} ({@code null}: none); the
     * future ends when the broker acknowledges it.
     */
    Future<RecordMetadata> send(AskResult result, String traceparent) {
        ProducerRecord<String, AskResult> out = new ProducerRecord<>(topic, result.reqId(), result);
        out.headers().add(Headers.REQUEST_ID, result.reqId().getBytes(StandardCharsets.UTF_8));
        if (traceparent != null) {
            out.headers().add(Headers.TRACEPARENT, traceparent.getBytes(StandardCharsets.UTF_8));
        }
        return producer.send(out);
    }
}
