package io.askpipe.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import io.askpipe.auth.AuthService;
import io.askpipe.auth.AuthSettings;
import io.askpipe.auth.IssuedKey;
import io.askpipe.auth.User;
import io.askpipe.common.callback.CallbackPolicy;
import io.askpipe.common.db.DatabaseSettings;
import io.askpipe.common.http.HttpServers;
import io.askpipe.common.http.HttpSettings;
import io.askpipe.common.kafka.KafkaSettings;
import io.askpipe.common.service.OpsSettings;
import io.askpipe.embedded.EmbeddedPostgresServer;
import io.askpipe.embedded.SharedInfrastructure;
import io.askpipe.ingest.api.AskSubmission;
import io.askpipe.ingest.api.IngestLimits;
import io.askpipe.ingest.ledger.AskLedger;
import io.askpipe.ingest.ledger.PostgresAskLedger;
import io.askpipe.schemas.AskRequest;
import io.askpipe.schemas.Json;
import io.askpipe.schemas.Priority;
import io.askpipe.schemas.Topic;
import io.askpipe.schemas.chat.ChatRequest;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServer;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import java.net.InetAddress;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.jooq.SQLDialect;
import org.jooq.impl.DSL;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The ingest API on the real broker and database. */
class IngestIT {
    private KafkaSettings kafka;
    private IngestConfig config;
    private IngestService service;
    private Vertx vertx;
    private HttpServer server;
    private WebClient client;
    private AuthService accounts;
    private User user;
    private IssuedKey key;

    @BeforeEach
    void start() {
        String name = SharedInfrastructure.uniqueName("ingest");
        kafka = KafkaSettings.local(SharedInfrastructure.kafka().bootstrapServers(), name + ".");
        EmbeddedPostgresServer pg = SharedInfrastructure.postgres();
        DatabaseSettings database = new DatabaseSettings(pg.createDatabase(name), pg.user(), pg.password(), 4);
        config = new IngestConfig(
                kafka,
                database,
                new AuthSettings(Duration.ZERO), // so that a revocation shows at once
                new HttpSettings("127.0.0.1", 0),
                new OpsSettings("127.0.0.1", 0),
                IngestLimits.DEFAULTS,
                new CallbackPolicy(true, List.of(), InetAddress::getAllByName),
                Duration.ofSeconds(10),
                Duration.ofMinutes(5),
                Duration.ofHours(1)); // housekeeping is called by the tests themselves
        service = IngestService.start(config, new SimpleMeterRegistry());
        accounts = AuthService.start(database, config.auth());
        user = accounts.accounts().createUser("alice");
        key = accounts.accounts().issueKey(user.id());
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

    private HttpResponse<Buffer> submit(String key, String body) {
        return client.post(server.actualPort(), "127.0.0.1", "/v1/ask")
                .putHeader("Authorization", "Bearer " + this.key.secret())
                .putHeader("Content-Type", "application/json")
                .putHeader("Idempotency-Key", key)
                .sendBuffer(Buffer.buffer(body))
                .await();
    }

    @Test
    void publishesOnceAndReplaysForTheSameKey() throws Exception {
        var first = submit("it-key-1", "{\"prompt\":\"hello\"}");
        var again = submit("it-key-1", "{\"prompt\":\"hello\"}");
        var other = submit("it-key-1", "{\"prompt\":\"goodbye\"}");

        assertThat(first.statusCode()).isEqualTo(202);
        assertThat(again.statusCode()).isEqualTo(202);
        assertThat(again.bodyAsString()).isEqualTo(first.bodyAsString());
        assertThat(again.getHeader("Idempotent-Replayed")).isEqualTo("true");
        assertThat(other.statusCode()).isEqualTo(422);
        String id =
                Json.mapper().readTree(first.bodyAsString()).get("request_id").asText();

        List<ConsumerRecord<String, AskRequest>> seen = read(1);
        assertThat(seen).hasSize(1);
        assertThat(seen.getFirst().key()).isEqualTo(id);
        assertThat(seen.getFirst().value().userId()).isEqualTo(user.id());
        assertThat(seen.getFirst().value().requestId()).isEqualTo(id);
        assertThat(seen.getFirst().value().prompt()).isEqualTo("hello");
    }

    @Test
    void anAskClaimedButNeverPublishedIsPublishedFromTheLedger() throws Exception {
        // a request that died between the ledger write and the publish: claimed a minute ago
        PostgresAskLedger ledger = new PostgresAskLedger(
                DSL.using(config.database().dataSource("it", PostgresAskLedger.SCHEMA), SQLDialect.POSTGRES));
        Instant then = Instant.now().minusSeconds(60);
        AskRequest orphan = new AskRequest(
                "01a21640-0000-7000-8000-000000000001", user.id(), "orphan-key", "lost?", null, null, then);
        String fingerprint = new AskSubmission("lost?", null, null, null).fingerprint();
        assertThat(ledger.claim(orphan, "POST", "/v1/ask", fingerprint, then, then.plus(Duration.ofMinutes(5))))
                .isInstanceOf(AskLedger.Claim.Won.class);
        var retryBefore = submit("orphan-key", "{\"prompt\":\"lost?\"}");
        assertThat(retryBefore.statusCode()).as("still being accepted").isEqualTo(409);

        service.housekeep();

        List<ConsumerRecord<String, AskRequest>> seen = read(1);
        assertThat(seen).hasSize(1);
        assertThat(seen.getFirst().value()).isEqualTo(orphan);
        var retryAfter = submit("orphan-key", "{\"prompt\":\"lost?\"}");
        assertThat(retryAfter.statusCode()).isEqualTo(202);
        assertThat(retryAfter.getHeader("Idempotent-Replayed")).isEqualTo("true");
        assertThat(Json.mapper()
                        .readTree(retryAfter.bodyAsString())
                        .get("request_id")
                        .asText())
                .isEqualTo(orphan.requestId());
    }

    @Test
    void aBatchAskClaimedButNeverPublishedIsPublishedFromTheLedgerToTheBatchTopic() throws Exception {
        PostgresAskLedger ledger = new PostgresAskLedger(
                DSL.using(config.database().dataSource("it", PostgresAskLedger.SCHEMA), SQLDialect.POSTGRES));
        Instant then = Instant.now().minusSeconds(60);
        AskRequest orphan = new AskRequest(
                        "01a21640-0000-7000-8000-000000000002", user.id(), "orphan-batch", "later?", null, null, then)
                .withPriority(Priority.BATCH);
        String fingerprint = new AskSubmission(
                        ChatRequest.ofPrompt("later?", null), null, null, Map.of(), Optional.empty(), Priority.BATCH)
                .fingerprint();
        assertThat(ledger.claim(orphan, "POST", "/v1/ask", fingerprint, then, then.plus(Duration.ofMinutes(5))))
                .isInstanceOf(AskLedger.Claim.Won.class);

        service.housekeep();

        List<ConsumerRecord<String, AskRequest>> seen = read(kafka.topics().batchRequests(), 1);
        assertThat(seen).hasSize(1);
        assertThat(seen.getFirst().value()).isEqualTo(orphan);
        var retry = submit("orphan-batch", "{\"prompt\":\"later?\",\"priority\":\"batch\"}");
        assertThat(retry.statusCode()).isEqualTo(202);
        assertThat(retry.getHeader("Idempotent-Replayed")).isEqualTo("true");
    }

    @Test
    void twoInstancesReceivingOneKeyAtOncePublishOneAsk() throws Exception {
        IngestService other = IngestService.start(config, new SimpleMeterRegistry());
        try {
            Router router = HttpServers.baseRouter(vertx);
            other.mount(router);
            HttpServer otherServer = HttpServers.start(vertx, router, config.http());
            List<io.vertx.core.Future<HttpResponse<Buffer>>> pending = new ArrayList<>();
            for (int i = 0; i < 16; i++) {
                int port = i % 2 == 0 ? server.actualPort() : otherServer.actualPort();
                pending.add(client.post(port, "127.0.0.1", "/v1/ask")
                        .putHeader("Authorization", "Bearer " + key.secret())
                        .putHeader("Content-Type", "application/json")
                        .putHeader("Idempotency-Key", "raced")
                        .sendBuffer(Buffer.buffer("{\"prompt\":\"once\"}")));
            }
            java.util.Set<String> accepted = new java.util.HashSet<>();
            for (var response : pending) {
                HttpResponse<Buffer> answer = response.await();
                assertThat(answer.statusCode()).as(answer.bodyAsString()).isIn(202, 409);
                if (answer.statusCode() == 202) {
                    accepted.add(Json.mapper()
                            .readTree(answer.bodyAsString())
                            .get("request_id")
                            .asText());
                }
            }
            assertThat(accepted).as("every 202 names the same ask").hasSizeLessThanOrEqualTo(1);
            var retry = submit("raced", "{\"prompt\":\"once\"}");
            assertThat(retry.statusCode()).isEqualTo(202);
            String id = Json.mapper()
                    .readTree(retry.bodyAsString())
                    .get("request_id")
                    .asText();
            assertThat(accepted).isSubsetOf(id);
            List<ConsumerRecord<String, AskRequest>> seen = read(1);
            assertThat(seen).as("published once").hasSize(1);
            assertThat(seen.getFirst().value().requestId()).isEqualTo(id);
        } finally {
            other.close();
        }
    }

    @Test
    void refusesARevokedKeyAndPublishesNothing() {
        assertThat(submit("before-revocation", "{\"prompt\":\"hi\"}").statusCode())
                .isEqualTo(202);
        accounts.accounts().revokeFamily(key.key().familyId());

        var refused = submit("after-revocation", "{\"prompt\":\"hi\"}");
        assertThat(refused.statusCode()).isEqualTo(401);
        assertThat(refused.getHeader("WWW-Authenticate")).contains("invalid_token");
        assertThat(read(1)).hasSize(1);
    }

    private List<ConsumerRecord<String, AskRequest>> read(int expected) {
        return read(kafka.topics().requests(), expected);
    }

    private List<ConsumerRecord<String, AskRequest>> read(Topic<String, AskRequest> topic, int expected) {
        Map<String, Object> props = kafka.clientProperties("it");
        props.put(ConsumerConfig.GROUP_ID_CONFIG, SharedInfrastructure.uniqueName("g"));
        props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        List<ConsumerRecord<String, AskRequest>> seen = new ArrayList<>();
        try (var consumer = new KafkaConsumer<>(
                props, topic.keySerde().deserializer(), topic.valueSerde().deserializer())) {
            consumer.subscribe(List.of(topic.name()));
            long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
            while (seen.size() < expected && System.nanoTime() < deadline) {
                consumer.poll(Duration.ofMillis(200)).forEach(seen::add);
            }
            // then a little longer, so that a duplicate would be seen too
            consumer.poll(Duration.ofSeconds(1)).forEach(seen::add);
        }
        return seen;
    }
}
