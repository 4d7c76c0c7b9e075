package io.askpipe.bench;

import io.askpipe.common.db.DatabaseSettings;
import io.askpipe.common.kafka.KafkaSettings;
import io.askpipe.common.kafka.TopicProvisioner;
import io.askpipe.common.service.Metrics;
import io.askpipe.embedded.EmbeddedKafka;
import io.askpipe.embedded.EmbeddedPostgresServer;
import io.askpipe.router.RouterConfig;
import io.askpipe.router.RouterService;
import io.askpipe.schemas.AskRequest;
import io.askpipe.schemas.Topics;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;

/**
 * How fast one router worker drains a backlog against a slow backend. Loads ASKS asks onto {@code
 * ask.requests} first, then starts one worker (dryrun backend at LATENCY_MS, MAX_IN_FLIGHT slots)
 * and times it from start to the last result on {@code ask.results}; the ideal rate is
 * MAX_IN_FLIGHT / LATENCY. Runs on an embedded broker and database of its own.
 *
 * <p>{@code ./askpipe bench RouterDrain [ASKS] [LATENCY_MS] [MAX_IN_FLIGHT] [PARTITIONS]}
 */
public final class RouterDrain {
    private RouterDrain() {}

    public static void main(String[] args) throws Exception {
        int asks = arg(args, 0, 5000);
        int latencyMs = arg(args, 1, 200);
        int maxInFlight = arg(args, 2, 256);
        int partitions = arg(args, 3, 3);

        try (EmbeddedKafka broker = EmbeddedKafka.temporary().start();
                EmbeddedPostgresServer postgres = EmbeddedPostgresServer.temporary()) {
            KafkaSettings kafka = new KafkaSettings(broker.bootstrapServers(), "", partitions, (short) -1, -1, null);
            Topics topics = kafka.topics();
            TopicProvisioner.ensure(kafka, "bench-admin");
            load(kafka, topics, asks);

            DatabaseSettings database =
                    new DatabaseSettings(postgres.createDatabase("bench"), postgres.user(), postgres.password(), 16);
            RouterConfig config = RouterConfig.local(
                    kafka,
                    database,
                    Map.of(
                            "DRYRUN_LATENCY_MS",
                            String.valueOf(latencyMs),
                            "ROUTER_MAX_IN_FLIGHT",
                            String.valueOf(maxInFlight),
                            "ROUTER_GROUP_ID",
                            "bench-router",
                            "LLM_TIMEOUT_MS",
                            "60000"));
            try (KafkaConsumer<String, byte[]> results = resultReader(kafka, topics)) {
                long started = System.nanoTime();
                try (RouterService ignored = RouterService.start(config, Metrics.prometheus("bench"))) {
                    int seen = 0;
                    long first = 0;
                    while (seen < asks) {
                        seen += results.poll(Duration.ofMillis(100)).count();
                        if (first == 0 && seen > 0) {
                            first = System.nanoTime();
                        }
                        if (System.nanoTime() - started > Duration.ofMinutes(10).toNanos()) {
                            throw new IllegalStateException("only " + seen + " results after 10 minutes");
                        }
                    }
                    long done = System.nanoTime();
                    double startup = (first - started) / 1e9;
                    double seconds = (done - first) / 1e9;
                    double rate = asks / seconds;
                    String ideal = latencyMs == 0
                            ? "no backend latency"
                            : String.format(
                                    "ideal %.0f asks/s (%.0f%%)",
                                    maxInFlight * 1000.0 / latencyMs, 100 * rate / (maxInFlight * 1000.0 / latencyMs));
                    System.out.printf(
                            "RouterDrain asks=%d latency_ms=%d max_in_flight=%d partitions=%d: first result %.2f s"
                                    + " after start, then %.0f asks/s for %.2f s; %s%n",
                            asks, latencyMs, maxInFlight, partitions, startup, rate, seconds, ideal);
                }
            }
        }
    }

    private static void load(KafkaSettings kafka, Topics topics, int asks) {
        Map<String, Object> props = kafka.clientProperties("bench-load");
        props.put(ProducerConfig.LINGER_MS_CONFIG, 5);
        try (var producer = new KafkaProducer<>(
                props,
                topics.requests().keySerde().serializer(),
                topics.requests().valueSerde().serializer())) {
            for (int i = 0; i < asks; i++) {
                AskRequest ask = new AskRequest(
                        UUID.randomUUID().toString(), "bench", "key-" + i, "drain " + i, null, null, Instant.now());
                producer.send(new ProducerRecord<>(topics.requests().name(), ask.scope(), ask));
            }
        }
    }

    private static KafkaConsumer<String, byte[]> resultReader(KafkaSettings kafka, Topics topics) {
        Map<String, Object> props = kafka.clientProperties("bench-results");
        props.put(ConsumerConfig.GROUP_ID_CONFIG, "bench-results");
        props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        KafkaConsumer<String, byte[]> consumer =
                new KafkaConsumer<>(props, new StringDeserializer(), new ByteArrayDeserializer());
        consumer.subscribe(List.of(topics.results().name()));
        return consumer;
    }

    private static int arg(String[] args, int index, int defaultValue) {
        return args.length > index ? Integer.parseInt(args[index]) : defaultValue;
    }
}
