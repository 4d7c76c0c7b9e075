package io.askpipe.devstack;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import com.fasterxml.jackson.databind.JsonNode;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SpecVersion;
import com.standardwebhooks.Webhook;
import io.askpipe.auth.IssuedKey;
import io.askpipe.auth.User;
import io.askpipe.embedded.SharedInfrastructure;
import io.askpipe.schemas.AskRequest;
import io.askpipe.schemas.Headers;
import io.askpipe.schemas.Json;
import io.askpipe.schemas.Topics;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/** One ask all the way through a real broker, a real database and the three services. */
class PipelineIT {
    private static final String PREFIX = SharedInfrastructure.uniqueName("e2e") + ".";
    private static DevStack stack;
    private static Vertx vertx;
    private static WebClient client;
    private static URI base;
    private static URI ops;
    private static IssuedKey devKey;
    private static String bearer;

    @BeforeAll
    static void start() {
        stack = TestStacks.start(
                PREFIX,
                Map.of(
                        "KAFKA_TOPIC_PARTITIONS",
                        "3",
                        // long enough to see an ask running
                        "DRYRUN_LATENCY_MS",
                        "300"));
        base = URI.create(stack.clientUrl());
        ops = URI.create(stack.opsUrl());
        devKey = stack.issueDevKey();
        bearer = "Bearer " + devKey.secret();
        vertx = Vertx.vertx();
        client = WebClient.create(vertx);
    }

    @AfterAll
    static void stop() {
        vertx.close().await();
        stack.close();
    }

    private static HttpResponse<Buffer> get(String path) {
        return get(path, bearer);
    }

    private static HttpResponse<Buffer> get(String path, String authorization) {
        return client.get(base.getPort(), base.getHost(), path)
                .putHeader("Authorization", authorization)
                .send()
                .await();
    }

    /** {@code GET path} of the operations port. */
    private static HttpResponse<Buffer> operations(String path) {
        return client.get(ops.getPort(), ops.getHost(), path).send().await();
    }

    private static HttpResponse<Buffer> submit(String key, String body) {
        return client.post(base.getPort(), base.getHost(), "/v1/ask")
                .putHeader("Authorization", bearer)
                .putHeader("Content-Type", "application/json")
                .putHeader("Idempotency-Key", key)
                .sendBuffer(Buffer.buffer(body))
                .await();
    }

    private static JsonNode json(HttpResponse<Buffer> response) throws Exception {
        return Json.mapper().readTree(response.bodyAsString());
    }

    @Test
    void anAskTravelsTheWholeWayAndComesBackWithTheStandardEnvelope() throws Exception {
        Instant before = Instant.now();
        var accepted = submit("e2e-1", "{\"prompt\":\"Why is the sky blue?\"}");
        assertThat(accepted.statusCode()).isEqualTo(202);
        String id = json(accepted).get("request_id").asText();
        assertThat(accepted.getHeader("Location")).isEqualTo("/v1/ask/" + id);

        JsonNode done = await().atMost(Duration.ofSeconds(30))
                .pollInterval(Duration.ofMillis(50))
                .until(
                        () -> json(get("/v1/ask/" + id)),
                        view -> view.get("status").asText().equals("succeeded"));

        assertThat(done.get("request_id").asText()).isEqualTo(id);
        assertThat(Instant.parse(done.get("accepted_at").asText())).isAfterOrEqualTo(before.minusSeconds(1));
        assertThat(Instant.parse(done.get("completed_at").asText()))
                .isAfterOrEqualTo(Instant.parse(done.get("accepted_at").asText()));
        assertThat(done.has("error")).isFalse();
        assertThat(done.get("attempts").asInt()).isEqualTo(1);
        JsonNode result = done.get("result");
        assertThat(result.get("backend").asText()).isEqualTo("dryrun");
        assertThat(result.get("model").asText()).isEqualTo("dryrun-echo");
        assertThat(result.get("answer").asText()).isEqualTo("[dryrun] Why is the sky blue?");
        assertThat(result.get("usage").get("prompt_tokens").asInt()).isEqualTo(5);
        assertThat(result.get("usage").get("completion_tokens").asInt()).isEqualTo(6);
        assertThat(result.get("usage").get("total_tokens").asInt()).isEqualTo(11);
        assertThat(result.get("latency_ms").asLong()).isNotNegative();
        assertThat(result.get("req_id").asText()).isEqualTo(id);
    }

    @Test
    void aSignedWebhookArrivesAndItsDeliveryCanBeInspectedAndResent() throws Exception {
        BlockingQueue<HttpServerRequest> requests = new LinkedBlockingQueue<>();
        BlockingQueue<String> bodies = new LinkedBlockingQueue<>();
        var receiver = vertx.createHttpServer()
                .requestHandler(request -> request.body().onSuccess(body -> {
                    requests.add(request);
                    bodies.add(body.toString());
                    request.response().setStatusCode(204).end();
                }))
                .listen(0, "127.0.0.1")
                .await();
        try {
            String callback = "http://127.0.0.1:" + receiver.actualPort() + "/hook";
            var accepted = submit(
                    "e2e-hook",
                    "{\"prompt\":\"ring me\",\"callback_url\":\"" + callback + "\",\"metadata\":{\"order\":\"7\"}}");
            assertThat(accepted.statusCode()).isEqualTo(202);
            String id = json(accepted).get("request_id").asText();

            var request = requests.poll(30, TimeUnit.SECONDS);
            assertThat(request).as("the webhook arrived").isNotNull();
            String body = bodies.take();
            Map<String, List<String>> headers = new HashMap<>();
            request.headers()
                    .forEach(h -> headers.computeIfAbsent(h.getKey().toLowerCase(Locale.ROOT), k -> new ArrayList<>())
                            .add(h.getValue()));
            var secret = json(get("/v1/webhooks/secret")).get("secret").asText();
            new Webhook(secret).verify(body, headers);
            JsonNode event = Json.mapper().readTree(body);
            try (var schema = PipelineIT.class.getResourceAsStream("/schemas/webhook-event.schema.json")) {
                // references between the schemas resolve to the files beside them, not to the web
                assertThat(JsonSchemaFactory.getInstance(
                                        SpecVersion.VersionFlag.V202012,
                                        factory -> factory.schemaMappers(mappers ->
                                                mappers.mapPrefix("https://askpipe.io/schemas/", "classpath:schemas/")))
                                .getSchema(schema)
                                .validate(event))
                        .as("the body matches webhook-event.schema.json")
                        .isEmpty();
            }
            assertThat(event.get("type").asText()).isEqualTo("ask.succeeded");
            assertThat(event.get("data").get("result").get("answer").asText()).isEqualTo("[dryrun] ring me");
            assertThat(event.at("/data/metadata/order").asText())
                    .as("the ask's metadata")
                    .isEqualTo("7");
            assertThat(headers.get("webhook-id")).containsExactly("msg_" + id);

            JsonNode delivery = await().atMost(Duration.ofSeconds(10))
                    .until(
                            () -> json(get("/v1/ask/" + id + "/webhook")),
                            d -> d.get("status").asText().equals("succeeded"));
            assertThat(delivery.get("webhook_id").asText()).isEqualTo("msg_" + id);
            assertThat(delivery.get("url").asText()).isEqualTo(callback);
            assertThat(delivery.get("attempts")).hasSize(1);
            assertThat(delivery.get("attempts").get(0).get("status_code").asInt())
                    .isEqualTo(204);

            var resent = client.post(base.getPort(), base.getHost(), "/v1/ask/" + id + "/webhook/resend")
                    .putHeader("Authorization", bearer)
                    .send()
                    .await();
            assertThat(resent.statusCode()).isEqualTo(202);
            assertThat(requests.poll(30, TimeUnit.SECONDS).getHeader("webhook-id"))
                    .as("a re-send keeps the webhook id")
                    .isEqualTo("msg_" + id);
            await().atMost(Duration.ofSeconds(10))
                    .until(() -> json(get("/v1/ask/" + id + "/webhook"))
                                    .get("attempts")
                                    .size()
                            == 2);
        } finally {
            receiver.close().await();
        }
    }

    @Test
    void aCallbackToAnInternalAddressIsRefusedAtSubmit() throws Exception {
        var refused = submit("e2e-ssrf", "{\"prompt\":\"hi\",\"callback_url\":\"http://0.0.0.0:9/latest/\"}");
        assertThat(refused.statusCode()).isEqualTo(422);
        assertThat(refused.getHeader("Content-Type")).isEqualTo("application/problem+json");
        assertThat(json(refused).get("errors").get(0).get("pointer").asText()).isEqualTo("/callback_url");
        assertThat(get("/v1/ask/" + UUID.randomUUID() + "/webhook").statusCode())
                .isEqualTo(404);
    }

    @Test
    void anAskIsRunningOnceAWorkerHasStartedOnIt() throws Exception {
        String id = json(submit("e2e-running", "{\"prompt\":\"take your time\"}"))
                .get("request_id")
                .asText();
        List<String> seen = new ArrayList<>();
        await().atMost(Duration.ofSeconds(30))
                .pollDelay(Duration.ZERO)
                .pollInterval(Duration.ofMillis(20))
                .until(() -> {
                    String status = json(get("/v1/ask/" + id)).path("status").asText();
                    if (seen.isEmpty() || !seen.getLast().equals(status)) {
                        seen.add(status);
                    }
                    return status.equals("succeeded");
                });
        assertThat(seen).contains("running").endsWith("succeeded");
        assertThat(seen.indexOf("running")).isLessThan(seen.indexOf("succeeded"));
    }

    @Test
    void aFailedAskCarriesItsTypedError() throws Exception {
        // openai is registered but, without OPENAI_* settings, unavailable
        var accepted = submit("e2e-2", "{\"prompt\":\"hi\",\"backend\":\"openai\",\"model\":\"m-1\"}");
        String id = json(accepted).get("request_id").asText();

        JsonNode done = await().atMost(Duration.ofSeconds(30))
                .pollInterval(Duration.ofMillis(50))
                .until(
                        () -> json(get("/v1/ask/" + id)),
                        view -> view.get("status").asText().equals("failed"));

        assertThat(done.get("error").get("type").asText()).isEqualTo("backend_unavailable");
        assertThat(done.get("error").get("http_status").asInt()).isEqualTo(503);
        assertThat(done.get("attempts").asInt())
                .as("an unconfigured backend is never called")
                .isZero();
        assertThat(done.get("result").get("backend").asText()).isEqualTo("openai");
        assertThat(done.get("result").get("req_id").asText()).isEqualTo(id);
    }

    @Test
    void unknownIdIsA404Problem() throws Exception {
        var response = get("/v1/ask/" + UUID.randomUUID());
        assertThat(response.statusCode()).isEqualTo(404);
        assertThat(response.getHeader("Content-Type")).isEqualTo("application/problem+json");
        assertThat(json(response).get("type").asText()).isEqualTo("https://askpipe.io/problems/not-found");
        assertThat(get("/v1/ask/not-an-id").statusCode()).isEqualTo(404);
    }

    @Test
    void aUserSeesOnlyTheirOwnAsks() throws Exception {
        String id = json(submit("e2e-mine", "{\"prompt\":\"mine\"}"))
                .get("request_id")
                .asText();
        await().atMost(Duration.ofSeconds(30)).until(() -> get("/v1/ask/" + id).statusCode() == 200);

        User eve = stack.accounts().createUser("eve-" + System.nanoTime());
        String eveBearer = "Bearer " + stack.accounts().issueKey(eve.id()).secret();
        var theirs = get("/v1/ask/" + id, eveBearer);
        assertThat(theirs.statusCode()).as("another user's ask is not found").isEqualTo(404);
        assertThat(json(theirs).get("type").asText()).isEqualTo("https://askpipe.io/problems/not-found");
        assertThat(json(get("/v1/usage", eveBearer))
                        .get("asks")
                        .get("submitted")
                        .asInt())
                .isZero();

        var anonymous = client.get(base.getPort(), base.getHost(), "/v1/ask/" + id)
                .send()
                .await();
        assertThat(anonymous.statusCode()).isEqualTo(401);
        assertThat(anonymous.getHeader("WWW-Authenticate")).isEqualTo("Bearer realm=\"askpipe\"");
    }

    @Test
    void usageCountsTheCallersAsksAndTokens() throws Exception {
        User counted = stack.accounts().createUser("counted-" + System.nanoTime());
        String countedBearer =
                "Bearer " + stack.accounts().issueKey(counted.id()).secret();
        for (String body : List.of("{\"prompt\":\"one two\"}", "{\"prompt\":\"x\",\"backend\":\"openai\"}")) {
            var accepted = client.post(base.getPort(), base.getHost(), "/v1/ask")
                    .putHeader("Authorization", countedBearer)
                    .putHeader("Content-Type", "application/json")
                    .sendBuffer(Buffer.buffer(body))
                    .await();
            assertThat(accepted.statusCode()).isEqualTo(202);
        }

        JsonNode usage = await().atMost(Duration.ofSeconds(30))
                .pollInterval(Duration.ofMillis(50))
                .until(
                        () -> json(get("/v1/usage", countedBearer)),
                        u -> u.get("asks").get("pending").asInt() == 0
                                && u.get("asks").get("submitted").asInt() == 2);
        assertThat(usage.get("user_id").asText()).isEqualTo(counted.id());
        assertThat(usage.get("asks").get("succeeded").asInt()).isEqualTo(1);
        assertThat(usage.get("asks").get("failed").asInt()).isEqualTo(1);
        assertThat(usage.get("tokens").get("total").asInt())
                .as("the dryrun answer's usage")
                .isPositive();
    }

    @Test
    void listsTheCallersAsksNewestFirstPageByPage() throws Exception {
        User lister = stack.accounts().createUser("lister-" + System.nanoTime());
        String listerBearer = "Bearer " + stack.accounts().issueKey(lister.id()).secret();
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            var accepted = client.post(base.getPort(), base.getHost(), "/v1/ask")
                    .putHeader("Authorization", listerBearer)
                    .putHeader("Content-Type", "application/json")
                    .sendBuffer(Buffer.buffer("{\"prompt\":\"list " + i + "\"}"))
                    .await();
            ids.add(json(accepted).get("request_id").asText());
        }
        await().atMost(Duration.ofSeconds(30))
                .until(() -> json(get("/v1/asks?status=succeeded&limit=100", listerBearer))
                                .get("data")
                                .size()
                        == 5);

        List<String> seen = new ArrayList<>();
        String path = "/v1/asks?limit=2";
        for (int page = 0; page < 3; page++) {
            JsonNode body = json(get(path, listerBearer));
            body.get("data").forEach(view -> seen.add(view.get("request_id").asText()));
            if (page < 2) {
                path = "/v1/asks?limit=2&cursor=" + body.get("next_cursor").asText();
            } else {
                assertThat(body.has("next_cursor")).as("the last page").isFalse();
            }
        }
        // newest first: request ids are UUIDv7, so descending ids are descending acceptance times
        assertThat(seen).containsExactlyInAnyOrderElementsOf(ids);
        assertThat(seen).isSortedAccordingTo(java.util.Comparator.reverseOrder());
        assertThat(get("/v1/asks?limit=0", listerBearer).statusCode()).isEqualTo(400);
        assertThat(get("/v1/asks?status=done", listerBearer).statusCode()).isEqualTo(400);
        assertThat(get("/v1/asks?cursor=!!", listerBearer).statusCode()).isEqualTo(400);
        assertThat(json(get("/v1/asks", bearer)).get("data").toString())
                .as("another user's list")
                .doesNotContain(ids.getFirst());
    }

    @Test
    void aLongPollAnswersAsSoonAsTheAskIsDone() throws Exception {
        String id = json(submit("e2e-wait", "{\"prompt\":\"wait for me\"}"))
                .get("request_id")
                .asText();
        long started = System.nanoTime();
        JsonNode done = json(get("/v1/ask/" + id + "?wait=20"));
        long tookMs = (System.nanoTime() - started) / 1_000_000;
        assertThat(done.get("status").asText()).isEqualTo("succeeded");
        assertThat(tookMs).as("answered when done, not when the wait ran out").isLessThan(15_000);

        started = System.nanoTime();
        var unknown = get("/v1/ask/" + UUID.randomUUID() + "?wait=1");
        assertThat(unknown.statusCode()).isEqualTo(404);
        assertThat((System.nanoTime() - started) / 1_000_000)
                .as("waited its second")
                .isGreaterThanOrEqualTo(900);
        assertThat(get("/v1/ask/" + id + "?wait=31").statusCode()).isEqualTo(400);
        assertThat(get("/v1/ask/" + id + "?wait=soon").statusCode()).isEqualTo(400);
    }

    @Test
    void metricsAndGoldenSignalsReflectRealTraffic() throws Exception {
        String ok = json(submit("e2e-golden-ok", "{\"prompt\":\"count me\"}"))
                .get("request_id")
                .asText();
        String bad = json(submit("e2e-golden-bad", "{\"prompt\":\"fail me\",\"backend\":\"openai\"}"))
                .get("request_id")
                .asText();
        var refused = submit("e2e-golden-nosuch", "{\"prompt\":\"fail me\",\"backend\":\"nosuch\"}");
        assertThat(refused.statusCode())
                .as("an unregistered backend is the client's error")
                .isEqualTo(422);
        assertThat(json(refused).get("errors").get(0).get("pointer").asText()).isEqualTo("/backend");
        // an ask for it that reached the topic all the same: a record from before the catalog said no
        String old = publishAsk("e2e-golden-old", "nosuch");
        for (String id : List.of(ok, bad, old)) {
            assertThat(json(get("/v1/ask/" + id + "?wait=20")).get("status").asText())
                    .isIn("succeeded", "failed");
        }
        JsonNode oldAsk = json(get("/v1/ask/" + old));
        assertThat(oldAsk.path("error").path("type").asText()).isEqualTo("unknown_backend");
        assertThat(oldAsk.get("result").get("backend").asText())
                .as("the default backend, the registered one its route starts with")
                .isEqualTo("dryrun");

        String metrics = operations("/metrics").bodyAsString();
        assertThat(metrics)
                .containsPattern("ask_latency_ms_bucket\\{[^}]*backend=\"dryrun\"")
                .containsPattern("ask_errors_total\\{[^}]*backend=\"openai\"[^}]*error_type=\"backend_unavailable\"")
                .containsPattern("ask_errors_total\\{[^}]*backend=\"dryrun\"[^}]*error_type=\"unknown_backend\"")
                .as("only registered backends are labels, never a name a client sent")
                .doesNotContain("backend=\"nosuch\"")
                .doesNotContain("backend=\"unknown\"");
        for (String stage : List.of("queued", "dispatch", "publish", "store_write", "visible")) {
            assertThat(metrics)
                    .as("stage %s timed", stage)
                    .containsPattern("ask_stage_seconds_bucket\\{[^}]*stage=\"" + stage + "\"");
        }
        assertThat(metrics)
                .as("consumer lag of the router and the store's writer")
                .containsPattern("kafka_consumer_fetch_manager_records_lag_max\\{[^}]*client_id=\"askpipe-router\"")
                .containsPattern(
                        "kafka_consumer_fetch_manager_records_lag_max\\{[^}]*client_id=\"askpipe-store-writer\"")
                .as("no Kafka Streams in the result store any more")
                .doesNotContainPattern("kafka_stream_thread_\\w+\\{")
                .contains("store_long_poll_waiters")
                .contains("ingest_in_flight");
        assertThat(lintLikePromtool(metrics))
                .as("what promtool check metrics would say (docs/operations.md): only of the original name")
                .containsOnly(
                        "ask_latency_ms: abbreviated unit in the name",
                        "ask_latency_ms_max: abbreviated unit in the name");

        JsonNode minute = json(operations("/observability")).get("windows").get(0);
        assertThat(minute.get("window").asText()).isEqualTo("1m");
        Map<String, JsonNode> backends = new HashMap<>();
        minute.get("backends").forEach(b -> backends.put(b.get("backend").asText(), b));
        assertThat(backends.get("dryrun").get("asks").asInt()).isPositive();
        assertThat(backends.get("dryrun").get("p95_latency_ms").asDouble()).isNotNegative();
        JsonNode failing = backends.get("openai");
        assertThat(failing.get("error_rate").asDouble()).isEqualTo(1.0);
        assertThat(failing.get("errors").get(0).get("type").asText()).isEqualTo("backend_unavailable");
        assertThat(backends.get("dryrun").get("errors").findValuesAsText("type"))
                .contains("unknown_backend");
        assertThat(minute.get("asks").asInt()).isGreaterThanOrEqualTo(3);
        for (JsonNode window : json(operations("/observability")).get("windows")) {
            assertThat(window.get("backends").findValuesAsText("backend"))
                    .as("the rows of window %s are registered backends", window.get("window"))
                    .isSubsetOf("dryrun", "openai", "llama", "anthropic");
        }
    }

    @Test
    void oneRequestIdAndTraceFollowTheAskThroughEveryHop() throws Exception {
        String trace = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";
        ListAppender<ILoggingEvent> captured = new ListAppender<>();
        LoggerContext logging = (LoggerContext) LoggerFactory.getILoggerFactory();
        captured.setContext(logging);
        captured.start();
        logging.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME).addAppender(captured);
        AtomicReference<String> receivedTrace = new AtomicReference<>();
        var receiver = vertx.createHttpServer()
                .requestHandler(request -> {
                    receivedTrace.set(request.getHeader("traceparent"));
                    request.response().setStatusCode(204).end();
                })
                .listen(0, "127.0.0.1")
                .await();
        try {
            var accepted = client.post(base.getPort(), base.getHost(), "/v1/ask")
                    .putHeader("Authorization", bearer)
                    .putHeader("Content-Type", "application/json")
                    .putHeader("Idempotency-Key", "e2e-trace")
                    .putHeader("traceparent", trace)
                    .sendBuffer(Buffer.buffer("{\"prompt\":\"follow me\",\"callback_url\":\"http://127.0.0.1:"
                            + receiver.actualPort() + "/hook\"}"))
                    .await();
            String id = json(accepted).get("request_id").asText();

            Map<String, ILoggingEvent> hops = new ConcurrentHashMap<>();
            await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
                for (ILoggingEvent event : List.copyOf(captured.list)) {
                    if (id.equals(event.getMDCPropertyMap().get("request_id"))) {
                        hops.putIfAbsent(event.getLoggerName() + ": " + event.getFormattedMessage(), event);
                    }
                }
                assertThat(hops.keySet())
                        .anyMatch(line -> line.startsWith("io.askpipe.ingest.asks: ask accepted"))
                        .anyMatch(line -> line.startsWith("io.askpipe.router.asks: ask answered: succeeded"))
                        .anyMatch(line -> line.startsWith("io.askpipe.store.asks: ask stored as succeeded"))
                        .anyMatch(line -> line.startsWith("io.askpipe.store.asks: webhook msg_" + id + " delivered"));
            });
            assertThat(hops.values())
                    .allSatisfy(event -> assertThat(event.getMDCPropertyMap()).containsEntry("traceparent", trace));
            assertThat(receivedTrace.get())
                    .as("the webhook continues the trace")
                    .isEqualTo(trace);

            Topics topics = Topics.withPrefix(PREFIX);
            String bootstrap = SharedInfrastructure.kafka().bootstrapServers();
            for (var record : List.of(
                    recordOf(bootstrap, topics.requests().name(), id),
                    recordOf(bootstrap, topics.results().name(), id))) {
                assertThat(new String(
                                record.headers()
                                        .lastHeader("askpipe-request-id")
                                        .value(),
                                StandardCharsets.UTF_8))
                        .isEqualTo(id);
                assertThat(new String(record.headers().lastHeader("traceparent").value(), StandardCharsets.UTF_8))
                        .as("the trace context travels in the headers of %s", record.topic())
                        .isEqualTo(trace);
            }
        } finally {
            logging.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME).detachAppender(captured);
            receiver.close().await();
        }
    }

    @Test
    void topicsAreCompactedAndKeyedAsDesigned() throws Exception {
        var accepted = submit("e2e-keys", "{\"prompt\":\"keys\"}");
        String id = json(accepted).get("request_id").asText();
        Topics topics = Topics.withPrefix(PREFIX);
        String bootstrap = SharedInfrastructure.kafka().bootstrapServers();

        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap))) {
            for (String topic :
                    List.of(topics.requests().name(), topics.results().name())) {
                var resource = new ConfigResource(ConfigResource.Type.TOPIC, topic);
                var config =
                        admin.describeConfigs(List.of(resource)).all().get().get(resource);
                assertThat(config.get("cleanup.policy").value()).as(topic).isEqualTo("compact");
            }
        }
        assertThat(recordOf(bootstrap, topics.requests().name(), id))
                .as("ask keyed by request id")
                .isNotNull();
        assertThat(recordOf(bootstrap, topics.results().name(), id))
                .as("result keyed by id")
                .isNotNull();
    }

    @Test
    void aBatchAskTravelsItsOwnTopicAndIsAnsweredAndShown() throws Exception {
        var accepted = submit("e2e-batch", "{\"prompt\":\"later\",\"priority\":\"batch\"}");
        assertThat(accepted.statusCode()).isEqualTo(202);
        String id = json(accepted).get("request_id").asText();

        JsonNode done = await().atMost(Duration.ofSeconds(30))
                .pollInterval(Duration.ofMillis(50))
                .until(
                        () -> json(get("/v1/ask/" + id)),
                        view -> view.get("status").asText().equals("succeeded"));

        assertThat(done.get("result").get("answer").asText()).isEqualTo("[dryrun] later");
        Topics topics = Topics.withPrefix(PREFIX);
        String bootstrap = SharedInfrastructure.kafka().bootstrapServers();
        assertThat(recordOf(bootstrap, topics.batchRequests().name(), id))
                .as("a batch ask is on the batch topic")
                .isNotNull();
    }

    /**
     * The rules of {@code promtool check metrics} that library meters break, applied to each metric
     * family of a scrape:
     * every family has help text, only histograms and summaries end in {@code _count}, no unit is
     * abbreviated ({@code _ms}, {@code _ns}) or below seconds. promtool itself is not on every
     * machine that runs this suite.
     */
    private static List<String> lintLikePromtool(String exposition) {
        Map<String, String> types = new HashMap<>();
        Set<String> helped = new HashSet<>();
        for (String line : exposition.split("\n")) {
            String[] parts = line.split(" ");
            if (line.startsWith("# TYPE ")) {
                types.put(parts[2], parts[3]);
            } else if (line.startsWith("# HELP ")) {
                helped.add(parts[2]);
            }
        }
        List<String> problems = new ArrayList<>();
        for (var family : types.entrySet()) {
            String name = family.getKey();
            boolean histogram =
                    family.getValue().equals("histogram") || family.getValue().equals("summary");
            if (!helped.contains(name)) {
                problems.add(name + ": no help text");
            }
            if (!histogram && name.endsWith("_count")) {
                problems.add(name + ": _count suffix");
            }
            if (name.matches(".*_(ms|ns|us)(_.*)?")) {
                problems.add(name + ": abbreviated unit in the name");
            }
            if (name.matches(".*_(milliseconds|nanoseconds|microseconds)(_.*)?")) {
                problems.add(name + ": a unit other than seconds");
            }
        }
        return problems;
    }

    /**
     * Publishes an ask of the dev user for {@code backend} straight to {@code ask.requests}, past
     * ingest's checks, as an older record or a replay would arrive; returns its request id.
     */
    private static String publishAsk(String idempotencyKey, String backend) throws Exception {
        Topics topics = Topics.withPrefix(PREFIX);
        AskRequest ask = new AskRequest(
                UUID.randomUUID().toString(),
                devKey.key().userId(),
                idempotencyKey,
                "from an older record",
                null,
                backend,
                Instant.now());
        Map<String, Object> props = Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG,
                SharedInfrastructure.kafka().bootstrapServers());
        try (var producer = new KafkaProducer<>(
                props,
                topics.requests().keySerde().serializer(),
                topics.requests().valueSerde().serializer())) {
            var record = new ProducerRecord<>(topics.requests().name(), ask.scope(), ask);
            record.headers().add(Headers.REQUEST_ID, ask.requestId().getBytes(StandardCharsets.UTF_8));
            producer.send(record).get(30, TimeUnit.SECONDS);
        }
        return ask.requestId();
    }

    /** The first record of {@code topic} keyed {@code wanted}, waiting up to 30 s for it; else null. */
    private static ConsumerRecord<String, String> recordOf(String bootstrap, String topic, String wanted) {
        Map<String, Object> props = Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG,
                bootstrap,
                ConsumerConfig.GROUP_ID_CONFIG,
                SharedInfrastructure.uniqueName("keys"),
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG,
                "earliest");
        try (var consumer = new KafkaConsumer<>(props, new StringDeserializer(), new StringDeserializer())) {
            consumer.subscribe(List.of(topic));
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (System.nanoTime() < deadline) {
                for (ConsumerRecord<String, String> record : consumer.poll(Duration.ofMillis(200))) {
                    if (wanted.equals(record.key())) {
                        return record;
                    }
                }
            }
        }
        return null;
    }
}
