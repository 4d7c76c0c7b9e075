package io.askpipe.router;

import io.askpipe.common.KafkaSettings;
import io.askpipe.common.TopicProvisioner;
import io.askpipe.schemas.AskResult;
import io.askpipe.schemas.Topics;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The router worker's running parts: the backend registry, the producer and the consumer loop. */
public final class RouterService implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(RouterService.class);

    private final Producer<String, AskResult> producer;
    private final Producer<byte[], byte[]> deadLetters;
    private final AskHandler handler;
    private final RouterWorker worker;
    private final Thread thread;

    private RouterService(
            Producer<String, AskResult> producer,
            Producer<byte[], byte[]> deadLetters,
            AskHandler handler,
            RouterWorker worker) {
        this.producer = producer;
        this.deadLetters = deadLetters;
        this.handler = handler;
        this.worker = worker;
        this.thread = Thread.ofPlatform().name("router-worker").unstarted(worker);
        this.thread.setUncaughtExceptionHandler((t, e) -> LOG.error("router worker died", e));
    }

    /** Provisions the topics and starts consuming. */
    public static RouterService start(RouterConfig config, MeterRegistry registry) {
        KafkaSettings kafka = config.kafka();
        Topics topics = kafka.topics();
        try (Admin admin = Admin.create(kafka.clientProperties("askpipe-router-admin"))) {
            TopicProvisioner.ensure(admin, topics, kafka);
        }
        BackendRegistry backends =
                new BackendRegistry(config.promptBackend(), new DryrunBackend(config.dryrunLatency()));
        AskHandler handler =
                new AskHandler(backends, config.llmTimeout(), Clock.systemUTC(), new RouterMetrics(registry));

        Map<String, Object> producerProps = kafka.clientProperties("askpipe-router");
        producerProps.put(ProducerConfig.ACKS_CONFIG, "all");
        producerProps.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        producerProps.put(ProducerConfig.LINGER_MS_CONFIG, 1);
        producerProps.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, "lz4");
        Producer<String, AskResult> producer = new KafkaProducer<>(
                producerProps,
                topics.results().keySerde().serializer(),
                topics.results().valueSerde().serializer());
        Producer<byte[], byte[]> deadLetters =
                new KafkaProducer<>(producerProps, new ByteArraySerializer(), new ByteArraySerializer());

        Map<String, Object> consumerProps = kafka.clientProperties("askpipe-router");
        consumerProps.put(ConsumerConfig.GROUP_ID_CONFIG, config.groupId());
        consumerProps.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        consumerProps.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        consumerProps.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, config.maxPollRecords());
        consumerProps.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        // a poll's asks are all answered before the next poll: allow for the slowest backend call
        consumerProps.put(ConsumerConfig.MAX_POLL_INTERVAL_MS_CONFIG, (int)
                Math.max(300_000, config.llmTimeout().toMillis() * 2));
        var consumer = new KafkaConsumer<>(consumerProps, new StringDeserializer(), new ByteArrayDeserializer());

        RouterWorker worker = new RouterWorker(consumer, producer, deadLetters, topics, handler);
        RouterService service = new RouterService(producer, deadLetters, handler, worker);
        service.thread.start();
        LOG.info("router worker consuming {} as group {}", topics.requests().name(), config.groupId());
        return service;
    }

    @Override
    public void close() {
        worker.stop();
        try {
            thread.join(Duration.ofSeconds(30));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        handler.close();
        producer.close(Duration.ofSeconds(10));
        deadLetters.close(Duration.ofSeconds(10));
    }
}
