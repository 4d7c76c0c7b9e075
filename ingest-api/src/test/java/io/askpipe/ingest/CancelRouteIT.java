package io.askpipe.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.askpipe.auth.AuthService;
import io.askpipe.auth.AuthSettings;
import io.askpipe.auth.IssuedKey;
import io.askpipe.common.callback.CallbackPolicy;
import io.askpipe.common.db.DatabaseSettings;
import io.askpipe.common.http.HttpServers;
import io.askpipe.common.http.HttpSettings;
import io.askpipe.common.kafka.KafkaSettings;
import io.askpipe.common.service.OpsSettings;
import io.askpipe.embedded.EmbeddedPostgresServer;
import io.askpipe.embedded.SharedInfrastructure;
import io.askpipe.ingest.api.IngestLimits;
import io.askpipe.schemas.AskCancel;
import io.askpipe.schemas.AskRequest;
import io.askpipe.schemas.AskResult;
import io.askpipe.schemas.Json;
import io.askpipe.schemas.Usage;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vertx.core.Future;
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
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@code POST /v1/ask/{id}/cancel} on the real broker and database, the test playing the router:
 * it reads the cancels off {@code ask.cancels} and publishes the ask's kept result to {@code
 * ask.results}, or nothing (no worker running).
 */
class CancelRouteIT {
    private static final Duration CANCEL_WAIT = Duration.ofMillis(1500);

    private KafkaSettings kafka;
    private IngestService service;
    private AuthService accounts;
    private String aliceId;
    private IssuedKey alice;
    private IssuedKey bob;
    private Vertx vertx;
    private HttpServer server;
    private WebClient client;
    private KafkaConsumer<String, AskCancel> cancels;
    private KafkaProducer<String, AskResult> results;

    @BeforeEach
    void start() {
        String name = SharedInfrastructure.uniqueName("cancel");
        kafka = KafkaSettings.local(SharedInfrastructure.kafka().bootstrapServers(), name + ".");
        EmbeddedPostgresServer pg = SharedInfrastructure.postgres();
        DatabaseSettings database = new DatabaseSettings(pg.createDatabase(name), pg.user(), pg.password(), 4);
        IngestConfig config = new IngestConfig(
                kafka,
                database,
                new AuthSettings(Duration.ZERO),
                new HttpSettings("127.0.0.1", 0),
                new OpsSettings("127.0.0.1", 0),
                IngestLimits.DEFAULTS,
                new CallbackPolicy(true, List.of(), InetAddress::getAllByName),
                Duration.ofSeconds(10),
                Duration.ofMinutes(5),
                Duration.ofHours(1),
                IngestConfig.DEFAULT_MAX_IN_FLIGHT,
                Duration.ofSeconds(2),
                Duration.ofSeconds(5),
                Duration.ofSeconds(3),
                CANCEL_WAIT);
        service = IngestService.start(config, new SimpleMeterRegistry());
        accounts = AuthService.start(database, config.auth());
        aliceId = accounts.accounts().createUser("alice").id();
        alice = accounts.accounts().issueKey(aliceId);
        bob = accounts.accounts().issueKey(accounts.accounts().createUser("bob").id());
        vertx = Vertx.vertx();
        Router router = HttpServers.baseRouter(vertx);
        service.mount(router);
        server = HttpServers.start(vertx, router, config.http());
        client = WebClient.create(vertx);

        var cancelTopic = kafka.topics().cancels();
        Map<String, Object> consumer = kafka.clientProperties("it-router");
        consumer.put(ConsumerConfig.GROUP_ID_CONFIG, SharedInfrastructure.uniqueName("g"));
        consumer.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        cancels = new KafkaConsumer<>(
                consumer,
                cancelTopic.keySerde().deserializer(),
                cancelTopic.valueSerde().deserializer());
        cancels.subscribe(List.of(cancelTopic.name()));
        var resultTopic = kafka.topics().results();
        results = new KafkaProducer<>(
                kafka.acknowledgedProducerProperties("it-router"),
                resultTopic.keySerde().serializer(),
                resultTopic.valueSerde().serializer());
    }

    @AfterEach
    void stop() {
        vertx.close().await();
        cancels.close();
        results.close();
        service.close();
        accounts.close();
    }

    private String submit(IssuedKey key) throws Exception {
        var response = client.post(server.actualPort(), "127.0.0.1", "/v1/ask")
                .putHeader("Authorization", "Bearer " + key.secret())
                .putHeader("Content-Type", "application/json")
                .sendBuffer(Buffer.buffer("{\"prompt\": \"hello\", \"backend\": \"dryrun\"}"))
                .await();
        assertThat(response.statusCode()).isEqualTo(202);
        return Json.mapper().readTree(response.bodyAsString()).get("request_id").asText();
    }

    private Future<HttpResponse<Buffer>> cancel(IssuedKey key, String id) {
        return client.post(server.actualPort(), "127.0.0.1", "/v1/ask/" + id + "/cancel")
                .putHeader("Authorization", "Bearer " + key.secret())
                .send();
    }

    /** The cancels on {@code ask.cancels} within {@code patience}. */
    private List<AskCancel> cancelsWithin(Duration patience) {
        List<AskCancel> seen = new ArrayList<>();
        long deadline = System.nanoTime() + patience.toNanos();
        while (System.nanoTime() < deadline) {
            cancels.poll(Duration.ofMillis(200)).forEach(record -> seen.add(record.value()));
        }
        return seen;
    }

    /** The next cancel on {@code ask.cancels}, as a router worker would take it. */
    private AskCancel nextCancel() {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (System.nanoTime() < deadline) {
            for (var record : cancels.poll(Duration.ofMillis(100))) {
                return record.value();
            }
        }
        throw new AssertionError("no cancel was published");
    }

    private void publish(AskResult result) throws Exception {
        results.send(new ProducerRecord<>(kafka.topics().results().name(), result.reqId(), result))
                .get();
    }

    private static JsonNode json(HttpResponse<Buffer> response) throws Exception {
        return Json.mapper().readTree(response.bodyAsString());
    }

    @Test
    void anUnknownIdAMalformedOneAndAnotherUsersAskAreNotFound() throws Exception {
        String alices = submit(alice);

        for (var response : List.of(
                cancel(alice, "0195f1a8-7b6e-7c3d-9a2b-4f5e6d7c8b9a").await(),
                cancel(alice, "not-an-id").await(),
                cancel(bob, alices).await())) {
            assertThat(response.statusCode()).isEqualTo(404);
            assertThat(response.getHeader("Content-Type")).startsWith("application/problem+json");
            assertThat(json(response).get("type").asText()).isEqualTo("https://askpipe.io/problems/not-found");
        }
        assertThat(cancelsWithin(Duration.ofSeconds(1)))
                .as("nothing was cancelled")
                .isEmpty();
    }

    @Test
    void withNoWorkerRunningTheCancelIsTakenAsCancellingAndTwiceAnswersTheSame() throws Exception {
        String id = submit(alice);

        var first = cancel(alice, id).await();
        var second = cancel(alice, id).await();

        assertThat(first.statusCode()).isEqualTo(202);
        assertThat(json(first).get("status").asText()).isEqualTo("cancelling");
        assertThat(json(first).get("request_id").asText()).isEqualTo(id);
        assertThat(first.getHeader("Location")).isEqualTo("/v1/ask/" + id);
        assertThat(second.statusCode()).isEqualTo(202);
        assertThat(second.bodyAsString()).isEqualTo(first.bodyAsString());
        List<AskCancel> published = cancelsWithin(Duration.ofSeconds(1));
        assertThat(published).hasSize(2).allSatisfy(cancel -> {
            assertThat(cancel.reqId()).isEqualTo(id);
            assertThat(cancel.userId()).isEqualTo(aliceId);
            assertThat(cancel.backend()).isEqualTo("dryrun");
        });
    }

    @Test
    void anAskThatEndsCancelledIsA200WithTheMomentOfItsCancelAndTwiceTheSame() throws Exception {
        String id = submit(alice);
        var pending = cancel(alice, id);
        AskCancel taken = nextCancel();
        publish(AskResult.cancelled(id, "dryrun", null, "cancelled by its owner", 0, 0, taken.cancelledAt()));

        var first = pending.await();
        var second = cancel(alice, id).await();

        assertThat(first.statusCode()).isEqualTo(200);
        assertThat(json(first).get("status").asText()).isEqualTo("cancelled");
        assertThat(Instant.parse(json(first).get("cancelled_at").asText())).isEqualTo(taken.cancelledAt());
        assertThat(second.statusCode()).isEqualTo(200);
        assertThat(second.bodyAsString()).isEqualTo(first.bodyAsString());
    }

    @Test
    void anAskThatHadEndedOtherwiseIsAConflictThatNamesItsStatus() throws Exception {
        String id = submit(alice);
        var pending = cancel(alice, id);
        nextCancel();
        // the router's arbiter kept the answer, which came first: it is published again
        publish(AskResult.succeeded(id, "dryrun", "m", "hi", Usage.of(1, 1), 3, 1, Instant.now()));

        var response = pending.await();
        var again = cancel(alice, id).await();

        for (var answer : List.of(response, again)) {
            assertThat(answer.statusCode()).isEqualTo(409);
            assertThat(answer.getHeader("Content-Type")).startsWith("application/problem+json");
            assertThat(json(answer).get("type").asText()).isEqualTo("https://askpipe.io/problems/ask-already-ended");
            assertThat(json(answer).get("detail").asText()).contains("succeeded");
        }
    }

    @Test
    void theDropInRouteAnswersACancelledAskAsOpenAisErrorThatIsNotRetried() throws Exception {
        var pending = client.post(server.actualPort(), "127.0.0.1", "/v1/chat/completions")
                .putHeader("Authorization", "Bearer " + alice.secret())
                .putHeader("Content-Type", "application/json")
                .sendBuffer(Buffer.buffer(
                        "{\"backend\": \"dryrun\", \"messages\": [{\"role\": \"user\", \"content\": \"hi\"}]}"));
        // the drop-in names its ask only in its answer: the test finds it on ask.requests
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        String id = null;
        while (id == null && System.nanoTime() < deadline) {
            id = latestAskOf();
        }
        assertThat(id).isNotNull();
        var cancelled = cancel(alice, id);
        AskCancel taken = nextCancel();
        publish(AskResult.cancelled(
                id, "dryrun", null, "the ask was cancelled by its owner", 0, 0, taken.cancelledAt()));

        var response = pending.await();

        assertThat(cancelled.await().statusCode()).isEqualTo(200);
        assertThat(response.statusCode()).isEqualTo(499);
        assertThat(response.getHeader("X-Should-Retry")).isEqualTo("false");
        JsonNode error = json(response).get("error");
        assertThat(error.get("code").asText()).isEqualTo("cancelled");
        assertThat(error.get("message").asText()).contains("cancelled by its owner");
    }

    /** The id of the last ask on {@code ask.requests}, if any. */
    private String latestAskOf() {
        var topic = kafka.topics().requests();
        Map<String, Object> props = kafka.clientProperties("it-peek");
        props.put(ConsumerConfig.GROUP_ID_CONFIG, SharedInfrastructure.uniqueName("peek"));
        props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        try (var consumer = new KafkaConsumer<>(
                props, topic.keySerde().deserializer(), topic.valueSerde().deserializer())) {
            consumer.subscribe(List.of(topic.name()));
            String last = null;
            for (int i = 0; i < 5 && last == null; i++) {
                for (var record : consumer.poll(Duration.ofMillis(300))) {
                    AskRequest ask = record.value();
                    last = ask.requestId();
                }
            }
            return last;
        }
    }
}
