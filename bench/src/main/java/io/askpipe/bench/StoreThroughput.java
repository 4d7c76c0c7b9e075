package io.askpipe.bench;

import io.askpipe.common.config.Env;
import io.askpipe.common.kafka.KafkaSettings;
import io.askpipe.common.kafka.TopicProvisioner;
import io.askpipe.common.service.Metrics;
import io.askpipe.embedded.EmbeddedKafka;
import io.askpipe.embedded.EmbeddedPostgresServer;
import io.askpipe.schemas.AskRequest;
import io.askpipe.schemas.AskResult;
import io.askpipe.schemas.Topics;
import io.askpipe.schemas.Usage;
import io.askpipe.store.StoreConfig;
import io.askpipe.store.StoreService;
import java.sql.DriverManager;
import java.time.Instant;
import java.util.Map;
import java.util.UUID;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * How fast the result store turns a backlog into rows: ASKS asks and their results are written to
 * {@code ask.requests} and {@code ask.results} first, then the result store starts on an embedded
 * broker and database, and the clock runs until every ask is {@code succeeded} in {@code
 * store.asks}. Measures the writer's group and its upserts into PostgreSQL, which join each ask
 * in the table, nothing upstream.
 *
 * <p>{@code ./askpipe bench StoreThroughput [ASKS] [PARTITIONS]}
 */
public final class StoreThroughput {
    private StoreThroughput() {}

    public static void main(String[] args) throws Exception {
        int asks = args.length > 0 ? Integer.parseInt(args[0]) : 20_000;
        String partitions = args.length > 1 ? args[1] : "3";
        try (EmbeddedKafka broker = EmbeddedKafka.temporary().start();
                EmbeddedPostgresServer postgres = EmbeddedPostgresServer.temporary()) {
            String jdbcUrl = postgres.createDatabase("bench");
            Env env = Env.of(Map.of(
                    "KAFKA_BOOTSTRAP_SERVERS", broker.bootstrapServers(),
                    "KAFKA_TOPIC_PARTITIONS", partitions,
                    "DATABASE_URL", jdbcUrl,
                    "DATABASE_USER", postgres.user(),
                    "DATABASE_PASSWORD", postgres.password()));
            KafkaSettings kafka = KafkaSettings.fromEnv(env);
            Topics topics = kafka.topics();
            TopicProvisioner.ensure(kafka, "bench-admin");
            backlog(kafka, topics, asks);

            long started = System.nanoTime();
            try (StoreService store = StoreService.start(StoreConfig.fromEnv(env), Metrics.prometheus("bench"));
                    var db = DriverManager.getConnection(jdbcUrl, postgres.user(), postgres.password())) {
                long done = 0;
                long firstRow = 0;
                long lastReport = started;
                while (done < asks) {
                    Thread.sleep(50);
                    try (var rs = db.createStatement()
                            .executeQuery("SELECT count(*) FROM store.asks WHERE status = 'succeeded'")) {
                        rs.next();
                        done = rs.getLong(1);
                    }
                    if (firstRow == 0 && done > 0) {
                        firstRow = System.nanoTime();
                    }
                    if (System.nanoTime() - lastReport > 2_000_000_000L) {
                        lastReport = System.nanoTime();
                        System.out.printf(
                                "  %d of %d asks stored (ready: %s)%n",
                                done, asks, store.readiness().check());
                    }
                }
                long end = System.nanoTime();
                double seconds = (end - started) / 1e9;
                double steady = (end - firstRow) / 1e9;
                System.out.printf(
                        "%nStoreThroughput %d asks, %s partitions: %.2f s from start to the last row (%.0f asks/s);"
                                + " %.2f s from the first row to the last (%.0f asks/s)%n",
                        asks, partitions, seconds, asks / seconds, steady, asks / steady);
            }
        }
    }

    /** Writes {@code asks} asks and a result for each, as ingest and the router would. */
    private static void backlog(KafkaSettings kafka, Topics topics, int asks) {
        Instant now = Instant.now();
        var props = kafka.acknowledgedProducerProperties("bench-backlog");
        try (var requests = new KafkaProducer<>(
                        props,
                        new StringSerializer(),
                        topics.requests().valueSerde().serializer());
                var results = new KafkaProducer<>(
                        props,
                        new StringSerializer(),
                        topics.results().valueSerde().serializer())) {
            for (int i = 0; i < asks; i++) {
                String id = UUID.randomUUID().toString();
                AskRequest request = new AskRequest(id, "bench", "key-" + i, "prompt " + i, null, null, now);
                requests.send(new ProducerRecord<>(topics.requests().name(), request.scope(), request));
                results.send(new ProducerRecord<>(
                        topics.results().name(),
                        id,
                        AskResult.succeeded(id, "dryrun", "dryrun-echo", "answer " + i, Usage.of(2, 2), 1, 1, now)));
            }
        }
        System.out.printf(
                "%d asks and %d results written to %s and %s%n",
                asks, asks, topics.requests().name(), topics.results().name());
    }
}
