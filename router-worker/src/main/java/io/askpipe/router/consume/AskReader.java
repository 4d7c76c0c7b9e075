package io.askpipe.router.consume;

import io.askpipe.common.kafka.DeadLetters;
import io.askpipe.common.retry.Backoff;
import io.askpipe.schemas.AskRequest;
import io.askpipe.schemas.Topic;
import io.askpipe.schemas.Topics;
import java.util.Optional;
import java.util.function.BooleanSupplier;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.errors.SerializationException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads the ask out of a polled record of {@code ask.requests}, passing a record that does not
 * deserialize on to the dead-letter topic instead. Thread-safe.
 */
final class AskReader {
    private static final Logger LOG = LoggerFactory.getLogger(AskReader.class);

    private final Topic<String, AskRequest> requests;
    private final String deadLetterTopic;
    private final Producer<byte[], byte[]> deadLetters;
    private final BooleanSupplier running;

    /**
     * @param deadLetters sends to {@code ask.requests.dlq}
     * @param running whether the worker still runs: sending a dead letter is retried until it
     *     passes or this turns false
     */
    AskReader(Topics topics, Producer<byte[], byte[]> deadLetters, BooleanSupplier running) {
        this.requests = topics.requests();
        this.deadLetterTopic = topics.requestsDeadLetter().name();
        this.deadLetters = deadLetters;
        this.running = running;
    }

    /**
     * The ask {@code record} holds; empty for a tombstone of the compacted topic (a null value), and
     * for a record that does not read, once the dead-letter topic has acknowledged it.
     *
     * @throws InterruptedException if the worker stops before the dead letter is acknowledged
     */
    Optional<AskRequest> read(ConsumerRecord<String, byte[]> record) throws InterruptedException {
        if (record.value() == null) {
            return Optional.empty();
        }
        try {
            return Optional.of(requests.valueSerde().deserializer().deserialize(record.topic(), record.value()));
        } catch (SerializationException e) {
            deadLetter(record, e);
            return Optional.empty();
        }
    }

    private void deadLetter(ConsumerRecord<String, byte[]> record, SerializationException error)
            throws InterruptedException {
        String source = DeadLetters.source(record);
        LOG.warn("unreadable ask at {} sent to {}: {}", source, deadLetterTopic, error.getMessage());
        ProducerRecord<byte[], byte[]> out = DeadLetters.letter(deadLetterTopic, record, error);
        Backoff.INFRASTRUCTURE.untilDone(
                "dead-letter " + source, () -> deadLetters.send(out).get(), running, LOG);
    }
}
