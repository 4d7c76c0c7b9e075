package io.askpipe.bench.accept;

import io.askpipe.common.kafka.KafkaSettings;
import io.askpipe.ingest.publish.AskPublisher;
import io.askpipe.schemas.AskRequest;
import io.askpipe.schemas.Topic;
import io.askpipe.schemas.Topics;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;

/**
 * Ingest's producer of asks as ingest opens it: the acknowledged producer's settings of {@link
 * KafkaSettings} ({@code acks=all}, idempotent, lz4, 1 ms linger), the request topic's own serdes,
 * the partitions of every request topic looked up before the first send, and the {@link
 * AskPublisher} over it. Thread-safe; closes the producer.
 */
public final class IngestProducer implements AutoCloseable {
    private final Producer<String, AskRequest> producer;
    private final AskPublisher publisher;

    private IngestProducer(Producer<String, AskRequest> producer, AskPublisher publisher) {
        this.producer = producer;
        this.publisher = publisher;
    }

    /** The producer on {@code kafka}'s broker and topics, with client id {@code clientId}. */
    public static IngestProducer open(KafkaSettings kafka, String clientId) {
        Topics topics = kafka.topics();
        Topic<String, AskRequest> requests = topics.requests();
        Producer<String, AskRequest> producer = new KafkaProducer<>(
                kafka.acknowledgedProducerProperties(clientId),
                requests.keySerde().serializer(),
                requests.valueSerde().serializer());
        try {
            topics.allRequestNames().forEach(producer::partitionsFor);
        } catch (RuntimeException e) {
            producer.close();
            throw e;
        }
        return new IngestProducer(producer, new AskPublisher(producer, topics));
    }

    /** Publishes asks as ingest does, each completing once the broker acknowledged it. */
    public AskPublisher publisher() {
        return publisher;
    }

    @Override
    public void close() {
        producer.close();
    }
}
