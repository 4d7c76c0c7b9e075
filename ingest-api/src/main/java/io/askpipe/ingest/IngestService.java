package io.askpipe.ingest;

import io.askpipe.common.KafkaSettings;
import io.askpipe.common.TopicProvisioner;
import io.askpipe.schemas.AskRequest;
import io.askpipe.schemas.Topic;
import io.vertx.ext.web.Router;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerConfig;

/**
 * The ingest API's running parts: one shared idempotent producer and the routes that use it. Built
 * by {@link #start}, which provisions the topics and warms the producer's metadata so that the
 * first ask does not wait for it.
 */
public final class IngestService implements AutoCloseable {
    private final Producer<String, AskRequest> producer;
    private final AskPublisher publisher;
    private final IngestLimits limits;
    private final Duration publishTimeout;

    private IngestService(Producer<String, AskRequest> producer, Topic<String, AskRequest> topic, IngestConfig config) {
        this.producer = producer;
        this.publisher = new AskPublisher(producer, topic);
        this.limits = config.limits();
        this.publishTimeout = config.publishTimeout();
    }

    /** Provisions the topics, connects the producer and returns the service ready to mount. */
    public static IngestService start(IngestConfig config) {
        KafkaSettings kafka = config.kafka();
        try (Admin admin = Admin.create(kafka.clientProperties("askpipe-ingest-admin"))) {
            TopicProvisioner.ensure(admin, kafka.topics(), kafka);
        }
        Topic<String, AskRequest> topic = kafka.topics().requests();
        Producer<String, AskRequest> producer = new KafkaProducer<>(
                producerProperties(kafka, config.publishTimeout()),
                topic.keySerde().serializer(),
                topic.valueSerde().serializer());
        producer.partitionsFor(topic.name());
        return new IngestService(producer, topic, config);
    }

    static Map<String, Object> producerProperties(KafkaSettings kafka, Duration publishTimeout) {
        Map<String, Object> props = kafka.clientProperties("askpipe-ingest");
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        props.put(ProducerConfig.LINGER_MS_CONFIG, 1);
        props.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, "lz4");
        // the producer gives up (and the client gets a 503) within the publish timeout
        int timeout = (int) publishTimeout.toMillis();
        props.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, timeout);
        props.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, Math.max(500, timeout - 500));
        props.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, timeout);
        return props;
    }

    /** Mounts the write routes on {@code router}. */
    public void mount(Router router) {
        IngestRoutes.mount(router, publisher, limits, publishTimeout, Clock.systemUTC());
    }

    @Override
    public void close() {
        publisher.close();
        producer.close(Duration.ofSeconds(10));
    }
}
