package io.askpipe.store.sink;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.zaxxer.hikari.HikariDataSource;
import io.askpipe.common.chaos.Chaos;
import io.askpipe.common.config.Env;
import io.askpipe.common.db.DatabaseSettings;
import io.askpipe.common.db.FlywayMigrations;
import io.askpipe.common.fault.FaultInjector;
import io.askpipe.common.kafka.KafkaSettings;
import io.askpipe.common.kafka.TopicProvisioner;
import io.askpipe.embedded.EmbeddedPostgresServer;
import io.askpipe.embedded.SharedInfrastructure;
import io.askpipe.schemas.AskProgress;
import io.askpipe.schemas.AskRequest;
import io.askpipe.schemas.AskResult;
import io.askpipe.schemas.AskStatus;
import io.askpipe.schemas.Headers;
import io.askpipe.schemas.Priority;
import io.askpipe.schemas.Topics;
import io.askpipe.schemas.Usage;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.jooq.SQLDialect;
import org.jooq.impl.DSL;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The writer against a real broker and database: the parts of asks land from every topic, poison is
 * set aside, replays are harmless.
 */
class AskWriterIT {
    private static final Instant T0 = Instant.parse("2026-11-26T12:00:00Z");

    private KafkaSettings kafka;
    private Topics topics;
    private HikariDataSource dataSource;
    private AskRepository asks;
    private final List<Thread> writers = new ArrayList<>();
    private final List<AskWriter> running = new ArrayList<>();
    private FaultInjector chaos = FaultInjector.NONE;

    @BeforeEach
    void setUp() throws Exception {
        String name = SharedInfrastructure.uniqueName("writer");
        kafka = KafkaSettings.local(SharedInfrastructure.kafka().bootstrapServers(), name + ".");
        topics = kafka.topics();
        TopicProvisioner.ensure(kafka, "test-admin");
        EmbeddedPostgresServer pg = SharedInfrastructure.postgres();
        dataSource = new DatabaseSettings(pg.createDatabase(name), pg.user(), pg.password(), 2)
                .dataSource("test", StoreSchema.SCHEMA);
        FlywayMigrations.migrate(dataSource, StoreSchema.SCHEMA);
        asks = new AskRepository(
                DSL.using(dataSource, SQLDialect.POSTGRES), Clock.systemUTC(), AskRepositoryIT.KEEP_ALL);
    }

    @AfterEach
    void tearDown() throws Exception {
        stopWriters();
        dataSource.close();
    }

    @Test
    void writesAsksFromTheirPartsSetsPoisonAsideAndShrugsOffAReplay() throws Exception {
        String done = "00000000-0000-7000-8000-0000000000c1";
        String waiting = "00000000-0000-7000-8000-0000000000c2";
        try (var producer = partsProducer()) {
            send(producer, new AskPart.Request(ask(done)));
            send(producer, new AskPart.Request(ask(waiting)));
            send(producer, new AskPart.Result(answer(done, "42")));
        }
        List<String> sources = AskWriter.sources(topics);
        try (var raw = new KafkaProducer<>(
                kafka.acknowledgedProducerProperties("test-raw"), new StringSerializer(), new ByteArraySerializer())) {
            for (String topic : sources) {
                raw.send(new ProducerRecord<>(topic, "bad", "{not json".getBytes(StandardCharsets.UTF_8)))
                        .get();
            }
        }

        startWriter();
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
            assertThat(asks.find(done, "alice"))
                    .get()
                    .satisfies(v -> assertThat(v.status()).isEqualTo(AskStatus.SUCCEEDED));
            assertThat(asks.find(waiting, "alice"))
                    .get()
                    .satisfies(v -> assertThat(v.status()).isEqualTo(AskStatus.QUEUED));
        });
        List<ConsumerRecord<byte[], byte[]>> letters =
                readAll(topics.storeDeadLetter().name(), sources.size());
        assertThat(letters).as("an unreadable record of each topic").hasSize(sources.size());
        assertThat(letters).allSatisfy(letter -> {
            assertThat(new String(letter.key(), StandardCharsets.UTF_8)).isEqualTo("bad");
            assertThat(letter.headers().lastHeader(Headers.DLQ_SOURCE)).isNotNull();
            assertThat(letter.headers().lastHeader(Headers.DLQ_ERROR)).isNotNull();
        });
        assertThat(letters)
                .extracting(letter -> {
                    // topic-partition@offset
                    String source = new String(
                            letter.headers().lastHeader(Headers.DLQ_SOURCE).value(), StandardCharsets.UTF_8);
                    return source.substring(0, source.lastIndexOf('-'));
                })
                .as("one from each topic")
                .containsExactlyInAnyOrderElementsOf(sources);

        // the group's offsets are gone (say, reset to replay the topics): every record is written again,
        // and a different late result for a terminal ask changes nothing
        stopWriters();
        forgetOffsets();
        try (var producer = partsProducer()) {
            send(producer, new AskPart.Result(answer(done, "different")));
            send(producer, new AskPart.Result(answer(waiting, "7")));
        }
        startWriter();
        await().atMost(Duration.ofSeconds(30))
                .untilAsserted(() -> assertThat(asks.find(waiting, "alice"))
                        .get()
                        .satisfies(v -> assertThat(v.status()).isEqualTo(AskStatus.SUCCEEDED)));
        assertThat(asks.find(done, "alice").orElseThrow().result().answer()).isEqualTo("42");
        assertThat(readAll(topics.storeDeadLetter().name(), 2 * sources.size()))
                .as("the poison records, set aside again on the replay")
                .hasSize(2 * sources.size());
    }

    @Test
    void readsAsksOfBothPrioritiesOldRecordsKeyedByScopeAndProgressWhicheverComesFirst() throws Exception {
        String batch = "00000000-0000-7000-8000-0000000000d1";
        String old = "00000000-0000-7000-8000-0000000000d2";
        String started = "00000000-0000-7000-8000-0000000000d3";
        String resultFirst = "00000000-0000-7000-8000-0000000000d4";
        try (var producer = partsProducer()) {
            send(producer, new AskPart.Result(answer(resultFirst, "early")));
            send(producer, new AskPart.Progress(new AskProgress(started, "llama", T0)));
            producer.send(new ProducerRecord<>(
                    topics.batchRequests().name(),
                    batch,
                    topics.batchRequests()
                            .valueSerde()
                            .serializer()
                            .serialize("x", ask(batch).withPriority(Priority.BATCH))));
            send(producer, new AskPart.Result(answer(batch, "later")));
            send(producer, new AskPart.Request(ask(started)));
            send(producer, new AskPart.Request(ask(resultFirst)));
        }
        try (var raw = new KafkaProducer<>(
                kafka.acknowledgedProducerProperties("test-raw"), new StringSerializer(), new ByteArraySerializer())) {
            // a record of the older format, keyed by the idempotency scope as records once were
            raw.send(new ProducerRecord<>(topics.requests().name(), "alice:k-old", """
                            {"request_id": "%s", "user_id": "alice", "idempotency_key": "k-old",
                             "prompt": "old prompt", "accepted_at": "2026-11-26T12:00:00Z"}""".formatted(old)
                            .getBytes(StandardCharsets.UTF_8)))
                    .get();
        }

        startWriter();
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
            assertThat(asks.find(batch, "alice"))
                    .get()
                    .satisfies(v -> assertThat(v.result().answer()).isEqualTo("later"));
            assertThat(asks.find(old, "alice"))
                    .get()
                    .satisfies(v -> assertThat(v.status()).isEqualTo(AskStatus.QUEUED));
            assertThat(asks.find(started, "alice"))
                    .get()
                    .satisfies(v -> assertThat(v.status()).isEqualTo(AskStatus.RUNNING));
            assertThat(asks.find(resultFirst, "alice"))
                    .get()
                    .satisfies(v -> assertThat(v.result().answer()).isEqualTo("early"));
        });
    }

    @Test
    void underInjectedStoreFailuresEveryAskLandsOnceWithItsStatus() throws Exception {
        SimpleMeterRegistry meters = new SimpleMeterRegistry();
        chaos = Chaos.fromEnv(
                Env.of(Map.of("CHAOS_MODE", "1", "CHAOS_SEED", "5", "CHAOS_STORE_FAILURE", "0.3")), meters);
        int total = 150;
        Map<String, AskStatus> expected = new java.util.HashMap<>();
        try (var producer = partsProducer()) {
            for (int i = 0; i < total; i++) {
                String id = String.format("00000000-0000-7000-8000-%012d", i);
                AskResult result = switch (i % 3) {
                    case 0 -> answer(id, "ok " + i);
                    case 1 ->
                        AskResult.failed(
                                id,
                                "dryrun",
                                "dryrun-echo",
                                // a type this version does not know: written as it came
                                new io.askpipe.schemas.AskError(
                                        new io.askpipe.schemas.AskError.UnknownType("backend_timeout", 504),
                                        "took too long"),
                                5,
                                2,
                                T0);
                    default -> null;
                };
                expected.put(
                        id,
                        switch (i % 3) {
                            case 0 -> AskStatus.SUCCEEDED;
                            case 1 -> AskStatus.FAILED;
                            default -> AskStatus.QUEUED;
                        });
                // every ask's request, then (mostly) its result, as ingest and the router publish them
                send(producer, new AskPart.Request(ask(id)));
                if (result != null) {
                    send(producer, new AskPart.Result(result));
                }
                if (i == total / 2) {
                    producer.flush();
                    startWriter(); // the rest arrives while the writer runs: other batches, other retries
                }
            }
        }

        await().atMost(Duration.ofSeconds(90))
                .pollInterval(Duration.ofMillis(250))
                .untilAsserted(() -> {
                    for (var entry : expected.entrySet()) {
                        assertThat(asks.find(entry.getKey(), "alice"))
                                .as(entry.getKey())
                                .get()
                                .satisfies(v -> assertThat(v.status()).isEqualTo(entry.getValue()));
                    }
                });
        try (var c = dataSource.getConnection();
                var rs = c.createStatement()
                        .executeQuery("SELECT count(*), count(DISTINCT request_id) FROM store.asks")) {
            rs.next();
            assertThat(rs.getInt(1)).as("one row per ask").isEqualTo(total);
            assertThat(rs.getInt(2)).isEqualTo(total);
        }
        assertThat(meters.get("chaos_events")
                        .tag("fault", "store_failure")
                        .counter()
                        .count())
                .as("injected store failures")
                .isGreaterThan(0);
    }

    @Test
    void aPurgedAskStaysPurgedWhenAGroupWhoseOffsetsExpiredReadsFromTheBeginning() throws Exception {
        String purged = "00000000-0000-7000-8000-0000000000e1";
        String later = "00000000-0000-7000-8000-0000000000e2";
        String hook = "http://127.0.0.1:9/hook"; // stored, never called: no dispatcher runs here
        AskRequest old = new AskRequest(purged, "alice", "k-e1", "prompt", null, null, T0, hook);
        try (var producer = partsProducer()) {
            // one partition of each topic for every record of this test, so that the order of reading
            // each topic is known
            send(producer, 0, new AskPart.Request(old));
            send(producer, 0, new AskPart.Result(answer(purged, "42")));
        }
        startWriter();
        await().atMost(Duration.ofSeconds(30))
                .until(() -> asks.find(purged, "alice").isPresent());
        stopWriters();
        assertThat(owedWebhooks()).containsExactly(purged);
        try (var c = dataSource.getConnection()) {
            c.createStatement().execute("UPDATE store.webhook_deliveries SET status = 'succeeded'");
        }

        // forty days on, with thirty days' retention: the purge deletes it, Kafka's copies first
        Clock later40 = Clock.fixed(T0.plus(Duration.ofDays(40)), java.time.ZoneOffset.UTC);
        Duration retention = Duration.ofDays(30);
        asks = new AskRepository(DSL.using(dataSource, SQLDialect.POSTGRES), later40, retention);
        SimpleMeterRegistry meters = new SimpleMeterRegistry();
        try (var producer = new KafkaProducer<>(
                kafka.acknowledgedProducerProperties("test-purge"),
                new ByteArraySerializer(),
                new ByteArraySerializer())) {
            assertThat(new AskPurge(asks, producer, topics, later40, retention, 100, meters).run())
                    .isEqualTo(1);
        }
        assertThat(asks.find(purged, "alice")).isEmpty();
        assertThat(meters.get("store_asks_purged").counter().count()).isEqualTo(1.0);
        for (String topic : List.of(
                topics.requests().name(),
                topics.batchRequests().name(),
                topics.results().name(),
                topics.progress().name(),
                topics.cancels().name())) {
            assertThat(readAll(topic, 1)).as("a tombstone on %s", topic).anySatisfy(r -> {
                assertThat(new String(r.key(), StandardCharsets.UTF_8)).isEqualTo(purged);
                assertThat(r.value()).isNull();
            });
        }

        // the writer's group lost its offsets (offsets.retention.minutes) and reads the topics again
        forgetOffsets();
        Instant laterAt = T0.plus(Duration.ofDays(39));
        try (var producer = partsProducer()) {
            send(
                    producer,
                    0,
                    new AskPart.Request(new AskRequest(later, "alice", "k-e2", "prompt", null, null, laterAt)));
            send(
                    producer,
                    0,
                    new AskPart.Result(AskResult.succeeded(later, "dryrun", "m", "7", Usage.NONE, 1, 1, laterAt)));
        }
        startWriter();
        // the later ask's request and result come after the purged one's on their topics: once the
        // later ask is terminal, both were read
        await().atMost(Duration.ofSeconds(30))
                .until(() -> asks.find(later, "alice")
                        .filter(v -> v.status() == AskStatus.SUCCEEDED)
                        .isPresent());
        assertThat(asks.find(purged, "alice")).as("not brought back").isEmpty();
        assertThat(owedWebhooks()).as("no webhook owed again").isEmpty();
    }

    private KafkaProducer<String, byte[]> partsProducer() {
        return new KafkaProducer<>(
                kafka.acknowledgedProducerProperties("test"), new StringSerializer(), new ByteArraySerializer());
    }

    /** Publishes {@code part} as ingest or the router would: on its topic, keyed by its request id. */
    private void send(KafkaProducer<String, byte[]> producer, AskPart part) {
        send(producer, null, part);
    }

    /** {@link #send(KafkaProducer, AskPart)} to {@code partition}, or where the key says if null. */
    private void send(KafkaProducer<String, byte[]> producer, Integer partition, AskPart part) {
        var record = switch (part) {
            case AskPart.Request r ->
                new ProducerRecord<>(
                        topics.requests().name(),
                        partition,
                        r.requestId(),
                        topics.requests().valueSerde().serializer().serialize("x", r.request()));
            case AskPart.Progress p ->
                new ProducerRecord<>(
                        topics.progress().name(),
                        partition,
                        p.requestId(),
                        topics.progress().valueSerde().serializer().serialize("x", p.progress()));
            case AskPart.Result r ->
                new ProducerRecord<>(
                        topics.results().name(),
                        partition,
                        r.requestId(),
                        topics.results().valueSerde().serializer().serialize("x", r.result()));
        };
        producer.send(record);
    }

    /** Deletes the writers' group, as an offset reset or an expiry of its offsets would. */
    private void forgetOffsets() throws Exception {
        try (Admin admin = Admin.create(kafka.clientProperties("test-admin"))) {
            admin.deleteConsumerGroups(List.of(groupId())).all().get();
        }
    }

    /** The request ids of the webhook deliveries still pending. */
    private List<String> owedWebhooks() throws Exception {
        List<String> owed = new ArrayList<>();
        try (var c = dataSource.getConnection();
                var rs = c.createStatement()
                        .executeQuery("SELECT request_id FROM store.webhook_deliveries WHERE status = 'pending'")) {
            while (rs.next()) {
                owed.add(rs.getString(1));
            }
        }
        return owed;
    }

    private void startWriter() {
        Map<String, Object> props = kafka.clientProperties("test-writer");
        props.put(ConsumerConfig.GROUP_ID_CONFIG, groupId());
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        var consumer = new KafkaConsumer<>(props, new StringDeserializer(), new ByteArrayDeserializer());
        var deadLetters = new KafkaProducer<>(
                kafka.acknowledgedProducerProperties("test-dlq"), new ByteArraySerializer(), new ByteArraySerializer());
        AskWriter writer = new AskWriter(consumer, deadLetters, asks, topics, new SimpleMeterRegistry(), chaos);
        running.add(writer);
        writers.add(Thread.ofPlatform().name("writer-under-test").start(() -> {
            try {
                writer.run();
            } finally {
                deadLetters.close();
            }
        }));
    }

    private void stopWriters() throws InterruptedException {
        for (AskWriter writer : running) {
            writer.stop();
        }
        for (Thread thread : writers) {
            thread.join(Duration.ofSeconds(30));
        }
        running.clear();
        writers.clear();
    }

    private String groupId() {
        return topics.results().name() + ".asks";
    }

    private List<ConsumerRecord<byte[], byte[]>> readAll(String topic, int atLeast) {
        Map<String, Object> props = kafka.clientProperties("test-reader");
        props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        props.put(ConsumerConfig.GROUP_ID_CONFIG, SharedInfrastructure.uniqueName("reader"));
        List<ConsumerRecord<byte[], byte[]>> records = new ArrayList<>();
        try (var consumer = new KafkaConsumer<>(props, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            consumer.subscribe(List.of(topic));
            await().atMost(Duration.ofSeconds(30)).until(() -> {
                consumer.poll(Duration.ofMillis(200)).forEach(records::add);
                return records.size() >= atLeast;
            });
        }
        return records;
    }

    private static AskRequest ask(String id) {
        return new AskRequest(id, "alice", "k-" + id, "prompt", null, null, T0);
    }

    private static AskResult answer(String id, String text) {
        return AskResult.succeeded(id, "dryrun", "dryrun-echo", text, Usage.of(1, 1), 3, 1, T0);
    }
}
