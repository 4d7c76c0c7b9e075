package io.askpipe.store.batch;

import static io.askpipe.store.db.Tables.WEBHOOK_ATTEMPTS;
import static io.askpipe.store.db.Tables.WEBHOOK_DELIVERIES;
import static io.askpipe.store.db.Tables.WEBHOOK_SECRETS;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.openai.client.OpenAIClient;
import com.openai.client.okhttp.OpenAIOkHttpClient;
import com.openai.models.webhooks.BatchCompletedWebhookEvent;
import com.openai.models.webhooks.UnwrapWebhookEvent;
import com.openai.models.webhooks.WebhookVerificationParams;
import com.standardwebhooks.Webhook;
import com.zaxxer.hikari.HikariDataSource;
import io.askpipe.common.callback.CallbackPolicy;
import io.askpipe.common.callback.Network;
import io.askpipe.common.db.DatabaseSettings;
import io.askpipe.common.db.FlywayMigrations;
import io.askpipe.common.fault.FaultInjector;
import io.askpipe.common.kafka.KafkaSettings;
import io.askpipe.common.kafka.TopicProvisioner;
import io.askpipe.embedded.EmbeddedPostgresServer;
import io.askpipe.embedded.SharedInfrastructure;
import io.askpipe.schemas.AskRequest;
import io.askpipe.schemas.AskResult;
import io.askpipe.schemas.BatchEvent;
import io.askpipe.schemas.Headers;
import io.askpipe.schemas.Json;
import io.askpipe.schemas.Topics;
import io.askpipe.schemas.Usage;
import io.askpipe.store.db.tables.records.WebhookDeliveriesRecord;
import io.askpipe.store.sink.AskRepository;
import io.askpipe.store.sink.StoreSchema;
import io.askpipe.store.webhook.WebhookDeliveries;
import io.askpipe.store.webhook.WebhookDispatcher;
import io.askpipe.store.webhook.WebhookSecrets;
import io.askpipe.store.webhook.WebhookSettings;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerRequest;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.UUID;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
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
import org.jooq.DSLContext;
import org.jooq.SQLDialect;
import org.jooq.impl.DSL;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Batch events from a real broker to a real receiver on loopback (allow-listed here, as an
 * operator would allow an internal network), through the outbox in a real PostgreSQL and the
 * webhook dispatcher.
 */
class BatchEventWriterIT {
    private static final Duration FAST = Duration.ofMillis(50);
    private static final CallbackPolicy LOOPBACK_ALLOWED =
            new CallbackPolicy(true, List.of(Network.parse("127.0.0.0/8")), InetAddress::getAllByName);
    private static final Duration RETENTION = Duration.ofDays(30);

    /** What the receiver saw: one entry per request. */
    record Received(Map<String, List<String>> headers, String body) {
        String header(String name) {
            return headers.get(name).getFirst();
        }
    }

    private KafkaSettings kafka;
    private Topics topics;
    private HikariDataSource dataSource;
    private DSLContext db;
    private WebhookDeliveries deliveries;
    private WebhookSecrets secrets;
    private final SimpleMeterRegistry meters = new SimpleMeterRegistry();
    private Vertx vertx;
    private HttpServer receiver;
    private final ConcurrentLinkedQueue<Received> received = new ConcurrentLinkedQueue<>();
    /** How the receiver answers the n-th request (from 0); 204 by default. */
    private volatile Function<Integer, Integer> statusFor = n -> 204;

    private final AtomicInteger requests = new AtomicInteger();
    private final List<WebhookDispatcher> dispatchers = new ArrayList<>();
    private final List<BatchEventWriter> writers = new ArrayList<>();
    private final List<Thread> threads = new ArrayList<>();
    private String group;

    @BeforeEach
    void start() throws Exception {
        String name = SharedInfrastructure.uniqueName("batchhooks");
        kafka = KafkaSettings.local(SharedInfrastructure.kafka().bootstrapServers(), name + ".");
        topics = kafka.topics();
        TopicProvisioner.ensure(kafka, "test-admin");
        group = name + ".batch-events";
        EmbeddedPostgresServer pg = SharedInfrastructure.postgres();
        dataSource = new DatabaseSettings(pg.createDatabase(name), pg.user(), pg.password(), 4)
                .dataSource("test", StoreSchema.SCHEMA);
        FlywayMigrations.migrate(dataSource, StoreSchema.SCHEMA);
        db = DSL.using(dataSource, SQLDialect.POSTGRES);
        deliveries = new WebhookDeliveries(db, Clock.systemUTC());
        secrets = new WebhookSecrets(db, Clock.systemUTC());
        vertx = Vertx.vertx();
        receiver = vertx.createHttpServer()
                .requestHandler(this::receive)
                .listen(0, "127.0.0.1")
                .await();
    }

    private void receive(HttpServerRequest request) {
        int status = statusFor.apply(requests.getAndIncrement());
        request.body().onSuccess(body -> {
            Map<String, List<String>> headers = new HashMap<>();
            request.headers()
                    .forEach(e -> headers.computeIfAbsent(e.getKey().toLowerCase(), k -> new ArrayList<>())
                            .add(e.getValue()));
            received.add(new Received(headers, body.toString()));
            request.response().setStatusCode(status).end();
        });
    }

    @AfterEach
    void stop() throws Exception {
        stopWriters();
        dispatchers.forEach(WebhookDispatcher::close);
        vertx.close().await();
        dataSource.close();
    }

    private void dispatcher(List<Duration> schedule, CallbackPolicy policy) {
        WebhookSettings settings = new WebhookSettings(
                policy,
                schedule,
                0,
                Duration.ofSeconds(5),
                8,
                8,
                8,
                Duration.ofMillis(100),
                Duration.ofHours(1),
                30,
                Duration.ofMinutes(1));
        dispatchers.add(WebhookDispatcher.start(
                deliveries, secrets, settings, Clock.systemUTC(), new SplittableRandom(7), meters, FaultInjector.NONE));
    }

    private void startWriter() {
        Map<String, Object> props = kafka.consumerProperties("test-batch-events");
        props.put(ConsumerConfig.GROUP_ID_CONFIG, group);
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        var consumer = new KafkaConsumer<>(props, new StringDeserializer(), new ByteArrayDeserializer());
        var deadLetters = new KafkaProducer<>(
                kafka.acknowledgedProducerProperties("test-dlq"), new ByteArraySerializer(), new ByteArraySerializer());
        BatchEventWriter writer =
                new BatchEventWriter(consumer, deadLetters, db, topics, Clock.systemUTC(), RETENTION, meters);
        writers.add(writer);
        threads.add(Thread.ofPlatform().name("batch-events-under-test").start(() -> {
            try {
                writer.run();
            } finally {
                deadLetters.close();
            }
        }));
    }

    private void stopWriters() throws InterruptedException {
        writers.forEach(BatchEventWriter::stop);
        for (Thread thread : threads) {
            thread.join(Duration.ofSeconds(30));
        }
        writers.clear();
        threads.clear();
    }

    private String callback() {
        return "http://127.0.0.1:" + receiver.actualPort() + "/hooks/batches?tenant=7";
    }

    private static String hex32() {
        byte[] bytes = new byte[16];
        ThreadLocalRandom.current().nextBytes(bytes);
        return HexFormat.of().formatHex(bytes);
    }

    private BatchEvent event(String type, String user, Instant createdAt) {
        return new BatchEvent("evt_" + hex32(), type, "batch_" + hex32(), user, callback(), createdAt);
    }

    private BatchEvent event(String type) {
        return event(type, "alice", Instant.now().minusSeconds(2));
    }

    /** Publishes {@code events} to partition 0, in order, keyed by batch id as ingest does. */
    private void publish(BatchEvent... events) throws Exception {
        try (var producer = new KafkaProducer<>(
                kafka.acknowledgedProducerProperties("test-events"),
                new StringSerializer(),
                topics.batchEvents().valueSerde().serializer())) {
            for (BatchEvent event : events) {
                producer.send(new ProducerRecord<>(topics.batchEvents().name(), 0, event.batchId(), event))
                        .get();
            }
        }
    }

    private void publishRaw(String key, byte[] value) throws Exception {
        try (var producer = new KafkaProducer<>(
                kafka.acknowledgedProducerProperties("test-raw"), new StringSerializer(), new ByteArraySerializer())) {
            producer.send(new ProducerRecord<>(topics.batchEvents().name(), 0, key, value))
                    .get();
        }
    }

    private WebhookDeliveriesRecord delivery(String eventId) {
        return db.selectFrom(WEBHOOK_DELIVERIES)
                .where(WEBHOOK_DELIVERIES.WEBHOOK_ID.eq(eventId))
                .fetchOne();
    }

    private List<Integer> attempts(String eventId) {
        return db.select(WEBHOOK_ATTEMPTS.STATUS_CODE)
                .from(WEBHOOK_ATTEMPTS)
                .where(WEBHOOK_ATTEMPTS.WEBHOOK_ID.eq(eventId))
                .orderBy(WEBHOOK_ATTEMPTS.ATTEMPT)
                .fetch(WEBHOOK_ATTEMPTS.STATUS_CODE);
    }

    private boolean succeeded(String eventId) {
        WebhookDeliveriesRecord row = delivery(eventId);
        return row != null && row.getStatus().equals("succeeded");
    }

    private List<Received> receivedFor(String eventId) {
        return received.stream()
                .filter(r -> r.header("webhook-id").equals(eventId))
                .toList();
    }

    /** {@code user}'s signing secret, made when their first webhook was signed. */
    private String secret(String user) {
        return db.select(WEBHOOK_SECRETS.SECRET)
                .from(WEBHOOK_SECRETS)
                .where(WEBHOOK_SECRETS.USER_ID.eq(user))
                .fetchSingle(WEBHOOK_SECRETS.SECRET);
    }

    private double counted(String outcome) {
        return meters.get("store_batch_events")
                .tag("outcome", outcome)
                .counter()
                .count();
    }

    @Test
    void aBatchEventArrivesAsOpenAisEventSignedWithTheOwnersSecret() throws Exception {
        BatchEvent completed = event("batch.completed");
        dispatcher(WebhookSettings.RETRY_SCHEDULE.defaultValue(), LOOPBACK_ALLOWED);
        startWriter();
        publish(completed);

        await().atMost(Duration.ofSeconds(30)).until(() -> succeeded(completed.eventId()));
        Received hook = receivedFor(completed.eventId()).getFirst();
        assertThat(hook.header("content-type")).isEqualTo("application/json");
        assertThat(Long.parseLong(hook.header("webhook-timestamp")))
                .isCloseTo(Instant.now().getEpochSecond(), org.assertj.core.data.Offset.offset(30L));
        String secret = secret("alice");
        new Webhook(secret).verify(hook.body(), hook.headers()); // throws unless the signature is right

        // the receiver of an OpenAI SDK user: unwrap() checks the signature and parses the event
        OpenAIClient sdk = OpenAIOkHttpClient.builder()
                .apiKey("unused")
                .baseUrl("http://127.0.0.1:9")
                .build();
        try {
            UnwrapWebhookEvent unwrapped = sdk.webhooks()
                    .unwrap(WebhookVerificationParams.builder()
                            .payload(hook.body())
                            .headers(com.openai.core.http.Headers.builder()
                                    .putAll(new HashMap<String, Iterable<String>>(hook.headers()))
                                    .build())
                            .secret(secret)
                            .build());
            BatchCompletedWebhookEvent parsed = unwrapped.asBatchCompleted().validate();
            assertThat(parsed.id()).isEqualTo(completed.eventId());
            assertThat(parsed.createdAt()).isEqualTo(completed.createdAt().getEpochSecond());
            assertThat(parsed.data().id()).isEqualTo(completed.batchId());
            assertThat(parsed.object_()).contains(BatchCompletedWebhookEvent.Object.EVENT);
        } finally {
            sdk.close();
        }

        JsonNode body = Json.mapper().readTree(hook.body());
        assertThat(body.get("id").asText()).isEqualTo(completed.eventId());
        assertThat(body.get("object").asText()).isEqualTo("event");
        assertThat(body.get("type").asText()).isEqualTo("batch.completed");
        assertThat(body.get("created_at").asLong())
                .isEqualTo(completed.createdAt().getEpochSecond());
        assertThat(body.get("data").get("id").asText()).isEqualTo(completed.batchId());

        WebhookDeliveriesRecord row = delivery(completed.eventId());
        assertThat(row.getBatchId()).isEqualTo(completed.batchId());
        assertThat(row.getRequestId()).as("a delivery without an ask").isNull();
        assertThat(row.getUserId()).isEqualTo("alice");
        assertThat(attempts(completed.eventId())).containsExactly(204);
        assertThat(counted("queued")).isEqualTo(1.0);
    }

    @Test
    void everyTerminalTypeIsSentUnderItsOwnType() throws Exception {
        List<BatchEvent> events = List.of(
                event("batch.completed", "bob", Instant.now()),
                event("batch.failed", "bob", Instant.now()),
                event("batch.expired", "bob", Instant.now()),
                event("batch.cancelled", "bob", Instant.now()));
        dispatcher(WebhookSettings.RETRY_SCHEDULE.defaultValue(), LOOPBACK_ALLOWED);
        startWriter();
        publish(events.toArray(BatchEvent[]::new));

        await().atMost(Duration.ofSeconds(30)).until(() -> events.stream().allMatch(e -> succeeded(e.eventId())));
        String secret = secret("bob");
        for (BatchEvent event : events) {
            Received hook = receivedFor(event.eventId()).getFirst();
            new Webhook(secret).verify(hook.body(), hook.headers());
            UnwrapWebhookEvent parsed =
                    com.openai.core.ObjectMappers.jsonMapper().readValue(hook.body(), UnwrapWebhookEvent.class);
            switch (event.type()) {
                case "batch.completed" ->
                    assertThat(parsed.asBatchCompleted().validate().data().id()).isEqualTo(event.batchId());
                case "batch.failed" ->
                    assertThat(parsed.asBatchFailed().validate().data().id()).isEqualTo(event.batchId());
                case "batch.expired" ->
                    assertThat(parsed.asBatchExpired().validate().data().id()).isEqualTo(event.batchId());
                case "batch.cancelled" ->
                    assertThat(parsed.asBatchCancelled().validate().data().id()).isEqualTo(event.batchId());
                default -> throw new AssertionError(event.type());
            }
        }
    }

    @Test
    void anEventPublishedTwiceOrReadAgainIsDeliveredOnce() throws Exception {
        BatchEvent twice = event("batch.failed");
        dispatcher(WebhookSettings.RETRY_SCHEDULE.defaultValue(), LOOPBACK_ALLOWED);
        startWriter();
        publish(twice, twice);
        await().atMost(Duration.ofSeconds(30)).until(() -> succeeded(twice.eventId()));

        // the group loses its offsets (offsets.retention.minutes) and reads the topic again
        stopWriters();
        try (Admin admin = Admin.create(kafka.clientProperties("test-admin"))) {
            admin.deleteConsumerGroups(List.of(group)).all().get();
        }
        BatchEvent later = event("batch.completed");
        publish(later);
        startWriter();
        // the later event comes after both copies: once it is delivered, they were read again
        await().atMost(Duration.ofSeconds(30)).until(() -> succeeded(later.eventId()));

        assertThat(receivedFor(twice.eventId())).as("delivered once").hasSize(1);
        assertThat(attempts(twice.eventId())).containsExactly(204);
        assertThat(db.fetchCount(WEBHOOK_DELIVERIES)).isEqualTo(2);
        assertThat(counted("queued")).isEqualTo(2.0);
        assertThat(counted("duplicate")).as("the second copy, then both again").isGreaterThanOrEqualTo(3.0);
    }

    @Test
    void aFailingReceiverIsRetriedWithTheSameWebhookIdAndBody() throws Exception {
        statusFor = n -> n < 2 ? 503 : 200;
        BatchEvent expired = event("batch.expired");
        dispatcher(List.of(FAST, FAST, FAST), LOOPBACK_ALLOWED);
        startWriter();
        publish(expired);

        await().atMost(Duration.ofSeconds(30)).until(() -> succeeded(expired.eventId()));
        assertThat(attempts(expired.eventId())).containsExactly(503, 503, 200);
        List<Received> hooks = receivedFor(expired.eventId());
        assertThat(hooks).hasSize(3);
        assertThat(hooks)
                .extracting(Received::body)
                .containsOnly(hooks.getFirst().body());
        String secret = secret("alice");
        for (Received hook : hooks) {
            new Webhook(secret).verify(hook.body(), hook.headers());
        }
    }

    @Test
    void aPoisonRecordGoesToTheDeadLetterTopicAndTheGroupCarriesOn() throws Exception {
        BatchEvent after = event("batch.cancelled");
        dispatcher(WebhookSettings.RETRY_SCHEDULE.defaultValue(), LOOPBACK_ALLOWED);
        publishRaw("batch_poison", "{not json".getBytes(StandardCharsets.UTF_8));
        publishRaw(
                "batch_unknown_type",
                ("{\"event_id\":\"evt_" + hex32() + "\",\"type\":\"batch.done\",\"batch_id\":\"batch_x\","
                                + "\"user_id\":\"alice\",\"callback_url\":\"" + callback()
                                + "\",\"created_at\":\"2026-12-07T12:00:00Z\"}")
                        .getBytes(StandardCharsets.UTF_8));
        // readable, but it would take an ask's webhook-id
        publish(new BatchEvent(
                "msg_" + UUID.randomUUID(), "batch.completed", "batch_msg", "alice", callback(), Instant.now()));
        publish(after);
        startWriter();

        await().atMost(Duration.ofSeconds(30)).until(() -> succeeded(after.eventId()));
        List<ConsumerRecord<byte[], byte[]>> letters =
                readAll(topics.storeDeadLetter().name(), 3);
        assertThat(letters)
                .extracting(r -> new String(r.key(), StandardCharsets.UTF_8))
                .containsExactlyInAnyOrder("batch_poison", "batch_unknown_type", "batch_msg");
        assertThat(letters).allSatisfy(r -> {
            assertThat(r.headers().lastHeader(Headers.DLQ_SOURCE)).isNotNull();
            assertThat(r.headers().lastHeader(Headers.DLQ_ERROR)).isNotNull();
        });
        assertThat(letters)
                .filteredOn(r -> new String(r.key(), StandardCharsets.UTF_8).equals("batch_msg"))
                .singleElement()
                .satisfies(r -> assertThat(new String(
                                r.headers().lastHeader(Headers.DLQ_ERROR).value(), StandardCharsets.UTF_8))
                        .contains("the outbox cannot hold"));
        assertThat(received).extracting(r -> r.header("webhook-id")).containsExactly(after.eventId());
        assertThat(db.fetchCount(WEBHOOK_DELIVERIES)).isEqualTo(1);
    }

    @Test
    void anEventFromBeforeTheRetentionPeriodIsLeftOut() throws Exception {
        BatchEvent old =
                event("batch.completed", "alice", Instant.now().minus(RETENTION).minusSeconds(60));
        BatchEvent recent = event("batch.completed");
        dispatcher(WebhookSettings.RETRY_SCHEDULE.defaultValue(), LOOPBACK_ALLOWED);
        startWriter();
        publish(old, recent);

        await().atMost(Duration.ofSeconds(30)).until(() -> succeeded(recent.eventId()));
        assertThat(delivery(old.eventId())).isNull();
        assertThat(receivedFor(old.eventId())).isEmpty();
        assertThat(counted("past_retention")).isEqualTo(1.0);
    }

    @Test
    void theCallbackIsCheckedAgainAtDeliveryTimeAsAnAsksIs() throws Exception {
        BatchEvent completed = event("batch.completed");
        // loopback is not allowed here: the SSRF guard refuses the address before any connection
        dispatcher(List.of(FAST), new CallbackPolicy(true, List.of(), InetAddress::getAllByName));
        startWriter();
        publish(completed);

        await().atMost(Duration.ofSeconds(30))
                .until(() -> delivery(completed.eventId()) != null
                        && delivery(completed.eventId()).getStatus().equals("dead"));
        assertThat(db.select(WEBHOOK_ATTEMPTS.ERROR)
                        .from(WEBHOOK_ATTEMPTS)
                        .where(WEBHOOK_ATTEMPTS.WEBHOOK_ID.eq(completed.eventId()))
                        .fetch(WEBHOOK_ATTEMPTS.ERROR))
                .hasSize(2)
                .containsOnly("refused: the callback URL must resolve only to public addresses");
        assertThat(requests).as("nothing was connected to").hasValue(0);
    }

    @Test
    void aBatchsDeliveryGoesByAgeOnceFinishedAndAnAsksOnlyWithItsAsk() throws Exception {
        statusFor = n -> 500;
        BatchEvent finished = event("batch.completed");
        BatchEvent pending = event("batch.failed");
        dispatcher(List.of(FAST), LOOPBACK_ALLOWED);
        startWriter();
        publish(finished);
        await().atMost(Duration.ofSeconds(30))
                .until(() -> delivery(finished.eventId()) != null
                        && delivery(finished.eventId()).getStatus().equals("dead"));
        dispatchers.forEach(WebhookDispatcher::close);
        dispatchers.clear();
        publish(pending);
        await().atMost(Duration.ofSeconds(30)).until(() -> delivery(pending.eventId()) != null);
        AskRepository asks = new AskRepository(db, Clock.systemUTC(), RETENTION);
        String askId = UUID.randomUUID().toString();
        AskRequest ask = new AskRequest(askId, "alice", "k-" + askId, "prompt", null, null, Instant.now(), callback());
        asks.upsert(ask, AskResult.succeeded(askId, "dryrun", "dry-1", "42", Usage.of(1, 1), 3, 1, Instant.now()));
        db.update(WEBHOOK_DELIVERIES)
                .set(WEBHOOK_DELIVERIES.STATUS, "succeeded")
                .where(WEBHOOK_DELIVERIES.REQUEST_ID.eq(askId))
                .execute();

        assertThat(deliveries.purgeBatchEvents(Instant.now().minusSeconds(3600), 1))
                .as("not yet old enough")
                .isZero();
        assertThat(deliveries.purgeBatchEvents(Instant.now().plusSeconds(60), 1))
                .as("the finished one, not the pending one, nor the ask's")
                .isEqualTo(1);
        assertThat(delivery(finished.eventId())).isNull();
        assertThat(attempts(finished.eventId())).as("its attempts with it").isEmpty();
        assertThat(delivery(pending.eventId())).isNotNull();
        assertThat(deliveries.find(askId, "alice")).isPresent();
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
}
