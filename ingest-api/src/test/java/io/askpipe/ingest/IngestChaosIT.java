package io.askpipe.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import io.askpipe.auth.AuthService;
import io.askpipe.auth.AuthSettings;
import io.askpipe.auth.IssuedKey;
import io.askpipe.common.callback.CallbackPolicy;
import io.askpipe.common.chaos.Chaos;
import io.askpipe.common.config.Env;
import io.askpipe.common.db.DatabaseSettings;
import io.askpipe.common.http.HttpServers;
import io.askpipe.common.http.HttpSettings;
import io.askpipe.common.kafka.KafkaSettings;
import io.askpipe.common.service.OpsSettings;
import io.askpipe.common.service.Startup;
import io.askpipe.embedded.EmbeddedPostgresServer;
import io.askpipe.embedded.SharedInfrastructure;
import io.askpipe.ingest.api.IngestLimits;
import io.askpipe.schemas.AskRequest;
import io.askpipe.schemas.Json;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServer;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import java.net.InetAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Injected publish failures on the real broker and database: clients that retry converge on one ask per key. */
class IngestChaosIT {
    private static final int ASKS = 24;

    private KafkaSettings kafka;
    private IngestService service;
    private AuthService accounts;
    private IssuedKey key;
    private Vertx vertx;
    private HttpServer server;
    private WebClient client;
    private final SimpleMeterRegistry meters = new SimpleMeterRegistry();

    @BeforeEach
    void start() {
        String name = SharedInfrastructure.uniqueName("ingestchaos");
        kafka = KafkaSettings.local(SharedInfrastructure.kafka().bootstrapServers(), name + ".");
        EmbeddedPostgresServer pg = SharedInfrastructure.postgres();
        DatabaseSettings database = new DatabaseSettings(pg.createDatabase(name), pg.user(), pg.password(), 4);
        IngestConfig config = new IngestConfig(
                kafka,
                database,
                new AuthSettings(Duration.ofMinutes(1)),
                new HttpSettings("127.0.0.1", 0),
                new OpsSettings("127.0.0.1", 0),
                IngestLimits.DEFAULTS,
                new CallbackPolicy(true, List.of(), InetAddress::getAllByName),
                Duration.ofSeconds(1), // a claim is abandoned, and published by the recovery, after 6 s
                Duration.ofMinutes(5),
                Duration.ofMillis(200));
        service = IngestService.start(
                config,
                meters,
                Startup.defaults("ingest-api"),
                Chaos.of(
                        Chaos.Settings.fromEnv(Env.of(
                                Map.of("CHAOS_MODE", "1", "CHAOS_SEED", "17", "CHAOS_INGEST_PUBLISH_FAILURE", "0.5"))),
                        meters));
        accounts = AuthService.start(database, config.auth());
        key = accounts.accounts()
                .issueKey(accounts.accounts().createUser("carol").id());
        vertx = Vertx.vertx();
        Router router = HttpServers.baseRouter(vertx);
        service.mount(router);
        server = HttpServers.start(vertx, router, config.http());
        client = WebClient.create(vertx);
    }

    @AfterEach
    void stop() {
        vertx.close().await();
        service.close();
        accounts.close();
    }

    private HttpResponse<Buffer> submit(String idempotencyKey, String prompt) {
        return client.post(server.actualPort(), "127.0.0.1", "/v1/ask")
                .putHeader("Authorization", "Bearer " + key.secret())
                .putHeader("Content-Type", "application/json")
                .putHeader("Idempotency-Key", idempotencyKey)
                .sendBuffer(Buffer.buffer("{\"prompt\":\"" + prompt + "\"}"))
                .await();
    }

    /** Submits until the ask is accepted, as a client following the 503's advice does; returns its request id. */
    private String submitUntilAccepted(String idempotencyKey, String prompt, AtomicInteger refusals) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (System.nanoTime() < deadline) {
            HttpResponse<Buffer> response = submit(idempotencyKey, prompt);
            if (response.statusCode() == 202) {
                return Json.mapper()
                        .readTree(response.bodyAsString())
                        .get("request_id")
                        .asText();
            }
            assertThat(response.statusCode())
                    .as("refused as a failed publish is (503), or still being accepted (409)")
                    .isIn(503, 409);
            refusals.incrementAndGet();
            Thread.sleep(300);
        }
        throw new AssertionError(idempotencyKey + " was not accepted within a minute");
    }

    @Test
    void clientsRetryingWithTheirKeysGetOneAskEachOnTheTopicExactlyOnce() throws Exception {
        AtomicInteger refusals = new AtomicInteger();
        Map<String, String> idByKey = new ConcurrentHashMap<>();
        try (var clients = Executors.newVirtualThreadPerTaskExecutor()) {
            List<Future<?>> done = new ArrayList<>();
            for (int i = 0; i < ASKS; i++) {
                String idempotencyKey = "chaos-" + i;
                String prompt = "ask " + i;
                done.add(clients.submit(() -> {
                    idByKey.put(idempotencyKey, submitUntilAccepted(idempotencyKey, prompt, refusals));
                    return null;
                }));
            }
            for (Future<?> future : done) {
                future.get(90, TimeUnit.SECONDS);
            }
        }
        assertThat(idByKey).hasSize(ASKS);
        assertThat(refusals.get()).as("some submits were refused").isGreaterThan(0);
        for (var entry : idByKey.entrySet()) {
            String prompt = "ask " + entry.getKey().substring("chaos-".length());
            HttpResponse<Buffer> again = submit(entry.getKey(), prompt);
            assertThat(again.statusCode()).isEqualTo(202);
            assertThat(Json.mapper()
                            .readTree(again.bodyAsString())
                            .get("request_id")
                            .asText())
                    .as("a later retry of %s names the same ask", entry.getKey())
                    .isEqualTo(entry.getValue());
        }

        // exactly once: an injected failure sends nothing, and the recovery publishes a claim once
        List<ConsumerRecord<String, AskRequest>> seen = read(ASKS);
        Map<String, Long> timesById =
                seen.stream().collect(Collectors.groupingBy(r -> r.value().requestId(), Collectors.counting()));
        assertThat(timesById.keySet()).containsExactlyInAnyOrderElementsOf(idByKey.values());
        assertThat(timesById).allSatisfy((id, times) -> assertThat(times).as(id).isEqualTo(1));
        assertThat(meters.get("chaos_events")
                        .tag("fault", "ingest_publish_failure")
                        .counter()
                        .count())
                .isGreaterThan(0);
    }

    private List<ConsumerRecord<String, AskRequest>> read(int expected) {
        var topic = kafka.topics().requests();
        Map<String, Object> props = kafka.clientProperties("it");
        props.put(ConsumerConfig.GROUP_ID_CONFIG, SharedInfrastructure.uniqueName("g"));
        props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        List<ConsumerRecord<String, AskRequest>> seen = new ArrayList<>();
        try (var consumer = new KafkaConsumer<>(
                props, topic.keySerde().deserializer(), topic.valueSerde().deserializer())) {
            consumer.subscribe(List.of(topic.name()));
            long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
            while (seen.size() < expected && System.nanoTime() < deadline) {
                consumer.poll(Duration.ofMillis(200)).forEach(seen::add);
            }
            // then a little longer, so that a duplicate would be seen too
            consumer.poll(Duration.ofSeconds(1)).forEach(seen::add);
        }
        return seen;
    }
}
