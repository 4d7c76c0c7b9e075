package io.askpipe.devstack;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SpecVersion;
import io.askpipe.common.kafka.KafkaSettings;
import io.askpipe.embedded.SharedInfrastructure;
import io.askpipe.schemas.AskResult;
import io.askpipe.schemas.AskStatus;
import io.askpipe.schemas.Json;
import io.askpipe.schemas.Topics;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Cancels through the whole pipeline, against a dryrun backend that takes 2 s: a running ask ends
 * cancelled with its webhook, the store shows, lists and counts it, the OpenAI-dialect route answers
 * it, cancelling twice answers the same, another user's ask is not found, a finished ask is a 409
 * naming its status, and cancels racing answers leave the store and {@code ask.results} agreeing
 * on one terminal state per ask.
 */
class CancelIT {
    private static final String PREFIX = SharedInfrastructure.uniqueName("cancel") + ".";
    private static DevStack stack;
    private static Vertx vertx;
    private static WebClient client;
    private static URI base;
    private static String bearer;

    @BeforeAll
    static void start() {
        stack = TestStacks.start(PREFIX, Map.of("DRYRUN_LATENCY_MS", "2000", "CANCEL_WAIT_MS", "5000"));
        base = URI.create(stack.clientUrl());
        bearer = "Bearer " + stack.issueDevKey().secret();
        vertx = Vertx.vertx();
        client = WebClient.create(vertx);
    }

    @AfterAll
    static void stop() {
        vertx.close().await();
        stack.close();
    }

    private static HttpResponse<Buffer> get(String path) {
        return client.get(base.getPort(), base.getHost(), path)
                .putHeader("Authorization", bearer)
                .send()
                .await();
    }

    private static HttpResponse<Buffer> post(String path, String key, String body) {
        return client.post(base.getPort(), base.getHost(), path)
                .putHeader("Authorization", bearer)
                .putHeader("Content-Type", "application/json")
                .putHeader("Idempotency-Key", key)
                .sendBuffer(Buffer.buffer(body))
                .await();
    }

    private static HttpResponse<Buffer> cancel(String id, String as) {
        return client.post(base.getPort(), base.getHost(), "/v1/ask/" + id + "/cancel")
                .putHeader("Authorization", as)
                .send()
                .await();
    }

    private static JsonNode json(HttpResponse<Buffer> response) throws Exception {
        return Json.mapper().readTree(response.bodyAsString());
    }

    private static String submit(String key, String extra) throws Exception {
        var accepted = post("/v1/ask", key, "{\"prompt\":\"cancel me\"" + extra + "}");
        assertThat(accepted.statusCode()).isEqualTo(202);
        return json(accepted).get("request_id").asText();
    }

    @Test
    void aRunningAskEndsCancelledWithItsWebhookAndEveryReadShowsIt() throws Exception {
        BlockingQueue<String> bodies = new LinkedBlockingQueue<>();
        var receiver = vertx.createHttpServer()
                .requestHandler(request -> request.body().onSuccess(body -> {
                    bodies.add(body.toString());
                    request.response().setStatusCode(204).end();
                }))
                .listen(0, "127.0.0.1")
                .await();
        try {
            String callback = "http://127.0.0.1:" + receiver.actualPort() + "/hook";
            String id = submit("cancel-1", ",\"callback_url\":\"" + callback + "\"");
            await().atMost(Duration.ofSeconds(30))
                    .pollInterval(Duration.ofMillis(50))
                    .until(() -> json(get("/v1/ask/" + id)).get("status").asText(), "running"::equals);

            var cancelled = cancel(id, bearer);
            var again = cancel(id, bearer);

            assertThat(cancelled.statusCode()).isEqualTo(200);
            assertThat(json(cancelled).get("status").asText()).isEqualTo("cancelled");
            assertThat(again.statusCode()).as("cancelling twice").isEqualTo(200);
            assertThat(again.bodyAsString()).isEqualTo(cancelled.bodyAsString());
            Instant cancelledAt =
                    Instant.parse(json(cancelled).get("cancelled_at").asText());

            JsonNode done = await().atMost(Duration.ofSeconds(30))
                    .pollInterval(Duration.ofMillis(100))
                    .until(
                            () -> json(get("/v1/ask/" + id)),
                            view -> view.get("status").asText().equals("cancelled"));
            assertThat(Instant.parse(done.get("completed_at").asText())).isEqualTo(cancelledAt);
            assertThat(done.get("error").get("type").asText()).isEqualTo("cancelled");
            assertThat(done.get("error").get("http_status").asInt()).isEqualTo(499);
            assertThat(done.get("result").has("answer")).isFalse();

            String body = bodies.poll(30, TimeUnit.SECONDS);
            assertThat(body).as("the webhook arrived").isNotNull();
            JsonNode event = Json.mapper().readTree(body);
            assertThat(event.get("type").asText()).isEqualTo("ask.cancelled");
            assertThat(event.at("/data/status").asText()).isEqualTo("cancelled");
            assertThat(event.at("/data/error/type").asText()).isEqualTo("cancelled");
            try (var schema = CancelIT.class.getResourceAsStream("/schemas/webhook-event.schema.json")) {
                assertThat(JsonSchemaFactory.getInstance(
                                        SpecVersion.VersionFlag.V202012,
                                        factory -> factory.schemaMappers(mappers ->
                                                mappers.mapPrefix("https://askpipe.io/schemas/", "classpath:schemas/")))
                                .getSchema(schema)
                                .validate(event))
                        .as("the body matches webhook-event.schema.json")
                        .isEmpty();
            }
            // the 2 s answer, had it come, would have been a second webhook
            assertThat(bodies.poll(3, TimeUnit.SECONDS)).as("one webhook only").isNull();

            JsonNode listed = json(get("/v1/asks?status=cancelled")).get("data");
            assertThat(listed).extracting(ask -> ask.get("request_id").asText()).contains(id);
            assertThat(listed).extracting(ask -> ask.get("status").asText()).containsOnly("cancelled");
            assertThat(json(get("/v1/usage")).at("/asks/cancelled").asInt()).isPositive();

            var completion = get("/v1/ask/" + id + "/completion");
            assertThat(completion.statusCode()).isEqualTo(499);
            assertThat(json(completion).at("/error/code").asText()).isEqualTo("cancelled");
        } finally {
            receiver.close().await();
        }
    }

    @Test
    void anotherUsersAskIsNotFoundAndAFinishedAskIsAConflictNamingItsStatus() throws Exception {
        String id = submit("cancel-2", "");
        String other = "Bearer "
                + stack.accounts()
                        .issueKey(stack.accounts().createUser("mallory").id())
                        .secret();

        var foreign = cancel(id, other);
        assertThat(foreign.statusCode()).isEqualTo(404);
        assertThat(json(foreign).get("type").asText()).isEqualTo("https://askpipe.io/problems/not-found");

        await().atMost(Duration.ofSeconds(30))
                .pollInterval(Duration.ofMillis(100))
                .until(() -> json(get("/v1/ask/" + id)).get("status").asText(), "succeeded"::equals);
        var late = cancel(id, bearer);
        assertThat(late.statusCode()).isEqualTo(409);
        assertThat(json(late).get("type").asText()).isEqualTo("https://askpipe.io/problems/ask-already-ended");
        assertThat(json(late).get("detail").asText()).contains("succeeded");
        assertThat(json(get("/v1/ask/" + id)).get("status").asText()).isEqualTo("succeeded");
    }

    @Test
    void cancelsRacingAnswersLeaveOneTerminalStateThatTheStoreAndTheResultsTopicAgreeOn() throws Exception {
        List<String> ids = new ArrayList<>();
        // each cancel lands somewhere between the queue and a moment after its 2 s answer came
        List<Thread> cancels = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            String id = submit("race-" + i, "");
            ids.add(id);
            long delayMs = ThreadLocalRandom.current().nextLong(0, 2600);
            cancels.add(Thread.ofVirtual().start(() -> {
                try {
                    Thread.sleep(delayMs);
                    cancel(id, bearer);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }));
        }
        for (Thread thread : cancels) {
            thread.join(Duration.ofSeconds(60));
        }
        Map<String, String> stored = new HashMap<>();
        await().atMost(Duration.ofSeconds(60))
                .pollInterval(Duration.ofMillis(200))
                .until(() -> {
                    for (String id : ids) {
                        String status = json(get("/v1/ask/" + id)).get("status").asText();
                        if (AskStatus.fromWire(status).terminal()) {
                            stored.put(id, status);
                        }
                    }
                    return stored.size() == ids.size();
                });
        Map<String, Set<String>> published = resultsOf(new HashSet<>(ids));

        for (String id : ids) {
            assertThat(published.get(id))
                    .as("every record of %s on ask.results", id)
                    .containsExactly(stored.get(id));
        }
        assertThat(stored.values()).containsOnly("succeeded", "cancelled");
        System.out.println("cancel race through the stack: "
                + stored.values().stream()
                        .collect(java.util.stream.Collectors.groupingBy(
                                s -> s, java.util.stream.Collectors.counting())));
    }

    /** The statuses on {@code ask.results} of each of {@code ids}, once each has one. */
    private static Map<String, Set<String>> resultsOf(Set<String> ids) {
        KafkaSettings kafka = KafkaSettings.local(SharedInfrastructure.kafka().bootstrapServers(), PREFIX);
        Topics topics = kafka.topics();
        Map<String, Object> props = kafka.clientProperties("it-reader");
        props.put(ConsumerConfig.GROUP_ID_CONFIG, SharedInfrastructure.uniqueName("reader"));
        props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        Map<String, Set<String>> seen = new HashMap<>();
        try (var consumer = new KafkaConsumer<String, AskResult>(
                props, new StringDeserializer(), topics.results().valueSerde().deserializer())) {
            consumer.subscribe(List.of(topics.results().name()));
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            long quietSince = System.nanoTime();
            while (System.nanoTime() < deadline
                    && (!seen.keySet().containsAll(ids) || System.nanoTime() - quietSince < 2_000_000_000L)) {
                var polled = consumer.poll(Duration.ofMillis(200));
                if (!polled.isEmpty()) {
                    quietSince = System.nanoTime();
                }
                polled.forEach(record -> seen.computeIfAbsent(record.key(), k -> new HashSet<>())
                        .add(record.value().status().wireName()));
            }
        }
        return seen;
    }
}
