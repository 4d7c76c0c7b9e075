package io.askpipe.ingest.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.askpipe.common.callback.CallbackPolicy;
import io.askpipe.common.catalog.BackendCatalog;
import io.askpipe.common.config.Env;
import io.askpipe.common.fault.FaultInjector;
import io.askpipe.common.http.HttpServers;
import io.askpipe.common.http.HttpSettings;
import io.askpipe.ingest.TestCallers;
import io.askpipe.ingest.ledger.InMemoryAskLedger;
import io.askpipe.ingest.publish.AskPublisher;
import io.askpipe.schemas.AskRequest;
import io.askpipe.schemas.Json;
import io.askpipe.schemas.Priority;
import io.askpipe.schemas.Topics;
import io.askpipe.schemas.chat.ResponseFormat;
import io.askpipe.schemas.chat.Role;
import io.askpipe.schemas.chat.ToolChoice;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServer;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.producer.MockProducer;
import org.apache.kafka.common.errors.NotEnoughReplicasException;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class IngestRoutesTest {
    private static final Instant NOW = Instant.parse("2026-11-26T12:00:00Z");
    /**
     * Resolves hooks.example.com to a public address, internal.example.com to a loopback one and
     * mapped.example.com to IPv4-mapped loopback.
     */
    private static final CallbackPolicy CALLBACKS = new CallbackPolicy(false, List.of(), host -> switch (host) {
        case "hooks.example.com" -> new InetAddress[] {InetAddress.getByName("93.184.215.14")};
        case "internal.example.com" -> new InetAddress[] {InetAddress.getByName("127.0.0.5")};
        case "mapped.example.com" -> // ::ffff:127.0.0.1 as a resolver hands it back, not folded to IPv4
            new InetAddress[] {
                java.net.Inet6Address.getByAddress(
                        host, new byte[] {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, -1, -1, 127, 0, 0, 1}, -1)
            };
        default -> {
            if (host.matches("[0-9a-fA-F:.]+")) {
                yield new InetAddress[] {InetAddress.getByName(host)}; // a literal: no lookup
            }
            throw new java.net.UnknownHostException(host);
        }
    });

    /** The built-in backends; of the models, the gpt-4o family and "m" only. */
    private static final BackendCatalog CATALOG = BackendCatalog.fromEnv(Env.of(Map.of("ASKPIPE_MODELS", "gpt-4o*,m")));

    private final Topics topics = Topics.ofDefaults();
    private Vertx vertx;
    private HttpServer server;
    private WebClient client;
    private MockProducer<String, AskRequest> producer;
    private SimpleMeterRegistry registry;
    private InMemoryAskLedger ledger;

    private void start(boolean autoComplete) {
        vertx = Vertx.vertx();
        producer = new MockProducer<>(
                autoComplete,
                null,
                new StringSerializer(),
                topics.requests().valueSerde().serializer());
        Router router = HttpServers.baseRouter(vertx);
        new IngestRoutes(
                        new AskPublisher(producer, topics),
                        ledger = new InMemoryAskLedger(),
                        io.askpipe.ingest.quota.Quotas.NONE,
                        java.util.concurrent.Executors.newVirtualThreadPerTaskExecutor(),
                        new IngestLimits(2048, 100, CATALOG),
                        CALLBACKS,
                        Duration.ofSeconds(2),
                        Duration.ofMinutes(5),
                        Clock.fixed(NOW, ZoneOffset.UTC),
                        FaultInjector.NONE,
                        registry = new SimpleMeterRegistry())
                .mount(router, TestCallers.auth());
        server = HttpServers.start(vertx, router, new HttpSettings("127.0.0.1", 0));
        client = WebClient.create(vertx);
    }

    @BeforeEach
    void startAutoCompleting() {
        start(true);
    }

    @AfterEach
    void stop() {
        vertx.close().await();
    }

    private HttpResponse<Buffer> post(String body, String contentType, String key) {
        var request = client.post(server.actualPort(), "127.0.0.1", "/v1/ask")
                .putHeader("Authorization", TestCallers.ALICE_BEARER);
        if (contentType != null) {
            request.putHeader("Content-Type", contentType);
        }
        if (key != null) {
            request.putHeader("Idempotency-Key", key);
        }
        return request.sendBuffer(Buffer.buffer(body)).await();
    }

    private static JsonNode json(HttpResponse<Buffer> response) throws Exception {
        return Json.mapper().readTree(response.bodyAsString());
    }

    @Test
    void acceptsAnAskAndPublishesItKeyedByScope() throws Exception {
        var response = post("{\"prompt\":\"Why is the sky blue?\",\"model\":\"gpt-4o\"}", "application/json", "k-1");

        assertThat(response.statusCode()).isEqualTo(202);
        JsonNode body = json(response);
        String id = body.get("request_id").asText();
        assertThat(body.get("status").asText()).isEqualTo("queued");
        assertThat(body.get("status_url").asText()).isEqualTo("/v1/ask/" + id);
        assertThat(response.getHeader("Location")).isEqualTo("/v1/ask/" + id);
        assertThat(response.getHeader("Idempotency-Key")).isEqualTo("k-1");

        assertThat(producer.history()).hasSize(1);
        var record = producer.history().getFirst();
        assertThat(record.topic()).isEqualTo("ask.requests");
        assertThat(record.key()).isEqualTo(id);
        assertThat(record.value())
                .isEqualTo(new AskRequest(id, TestCallers.ALICE, "k-1", "Why is the sky blue?", "gpt-4o", null, NOW));
        assertThat(new String(record.headers().lastHeader("askpipe-request-id").value(), StandardCharsets.UTF_8))
                .isEqualTo(id);
        assertThat(java.util.UUID.fromString(id).version()).isEqualTo(7);
    }

    @Test
    void replaysTheSameAnswerForTheSameKeyAndPayload() throws Exception {
        var first = post("{\"prompt\":\"hi\",\"model\":\"m\"}", "application/json", "same-key");
        var again = post("{ \"model\": \"m\", \"prompt\": \"hi\" }", "application/json", "same-key");

        assertThat(again.statusCode()).isEqualTo(202);
        assertThat(again.bodyAsString()).isEqualTo(first.bodyAsString());
        assertThat(again.getHeader("Idempotent-Replayed")).isEqualTo("true");
        assertThat(again.getHeader("Location")).isEqualTo(first.getHeader("Location"));
        assertThat(first.getHeader("Idempotent-Replayed")).isNull();
        assertThat(producer.history()).as("published once").hasSize(1);
    }

    @Test
    void scopesIdempotencyKeysToTheirUser() throws Exception {
        var alice = post("{\"prompt\":\"hi\"}", "application/json", "shared-key");
        var bob = client.post(server.actualPort(), "127.0.0.1", "/v1/ask")
                .putHeader("Authorization", TestCallers.BOB_BEARER)
                .putHeader("Content-Type", "application/json")
                .putHeader("Idempotency-Key", "shared-key")
                .sendBuffer(Buffer.buffer("{\"prompt\":\"hi\"}"))
                .await();

        assertThat(bob.statusCode()).isEqualTo(202);
        assertThat(bob.getHeader("Idempotent-Replayed")).isNull();
        assertThat(json(bob).get("request_id")).isNotEqualTo(json(alice).get("request_id"));
        assertThat(producer.history())
                .extracting(r -> r.key())
                .containsExactly(
                        json(alice).get("request_id").asText(),
                        json(bob).get("request_id").asText());
        assertThat(producer.history().get(1).value().userId()).isEqualTo(TestCallers.BOB);
    }

    @Test
    void carriesTheCallbackUrlIntoTheAsk() throws Exception {
        var response = post(
                "{\"prompt\":\"hi\",\"callback_url\":\"https://hooks.example.com/askpipe?tenant=7\"}",
                "application/json",
                "k-cb");

        assertThat(response.statusCode()).isEqualTo(202);
        assertThat(producer.history().getFirst().value().callbackUrl())
                .isEqualTo("https://hooks.example.com/askpipe?tenant=7");
    }

    @Test
    void refusesCallbacksThatAreNotHttpsOrReachInternalAddresses() throws Exception {
        for (String[] bad : new String[][] {
            {"http://hooks.example.com/x", "/callback_url must be an https URL"},
            {"https://internal.example.com/x", "/callback_url must resolve only to public addresses"},
            {"https://mapped.example.com/x", "/callback_url must resolve only to public addresses"},
            {"https://2130706433/latest/meta-data/", "/callback_url must resolve only to public addresses"},
            {"https://[::1]:8443/x", "/callback_url must resolve only to public addresses"},
            {"https://nowhere.example.com/x", "/callback_url must resolve only to public addresses"},
        }) {
            var response = post("{\"prompt\":\"hi\",\"callback_url\":\"" + bad[0] + "\"}", "application/json", null);
            assertThat(response.statusCode()).as(bad[0]).isEqualTo(422);
            JsonNode problem = json(response);
            assertThat(problem.get("type").asText()).isEqualTo("https://askpipe.io/problems/validation-failed");
            assertThat(problem.get("detail").asText()).as(bad[0]).isEqualTo(bad[1]);
            assertThat(response.bodyAsString().replace(problem.get("request_id").asText(), "<request id>"))
                    .as("nothing of what the name resolves to, or whether it does")
                    .doesNotContain("127.0.0.5", "ffff", "7f00", "127.0.0.1", "0:0:0:0:0:0:0:1", "not resolve");
            assertThat(problem.get("errors").get(0).get("pointer").asText()).isEqualTo("/callback_url");
        }
        assertThat(producer.history()).as("nothing refused is published").isEmpty();
    }

    @Test
    void theCallbackUrlIsPartOfTheIdempotencyFingerprint() throws Exception {
        post("{\"prompt\":\"hi\",\"callback_url\":\"https://hooks.example.com/a\"}", "application/json", "k-fp");
        var other = post(
                "{\"prompt\":\"hi\",\"callback_url\":\"https://hooks.example.com/b\"}", "application/json", "k-fp");

        assertThat(other.statusCode()).isEqualTo(422);
        assertThat(json(other).get("type").asText()).isEqualTo("https://askpipe.io/problems/idempotency-key-reused");
    }

    @Test
    void theAskCarriesTheDeadlineComputedAtTheFirstAccept() throws Exception {
        var response = post("{\"prompt\":\"hi\",\"expires_after\":60}", "application/json", "k-exp");
        var again = post("{\"expires_after\":60,\"prompt\":\"hi\"}", "application/json", "k-exp");
        post("{\"prompt\":\"hi\",\"deadline\":\"2026-11-26T14:00:00+01:00\"}", "application/json", "k-at");
        post("{\"prompt\":\"hi\"}", "application/json", "k-none");

        assertThat(response.statusCode()).isEqualTo(202);
        assertThat(again.statusCode())
                .as("a retry of the same body is the same ask")
                .isEqualTo(202);
        assertThat(again.getHeader("Idempotent-Replayed")).isEqualTo("true");
        assertThat(producer.history()).hasSize(3);
        assertThat(producer.history().get(0).value().deadline()).contains(NOW.plusSeconds(60));
        assertThat(producer.history().get(1).value().deadline())
                .as("a deadline is absolute, whatever its offset")
                .contains(Instant.parse("2026-11-26T13:00:00Z"));
        assertThat(producer.history().get(2).value().deadline()).isEmpty();
    }

    @Test
    void refusesAnExpiryThatIsPastMalformedOrDoubled() throws Exception {
        for (String[] bad : new String[][] {
            {"{\"prompt\":\"hi\",\"deadline\":\"2026-11-26T11:59:59Z\"}", "/deadline"},
            {"{\"prompt\":\"hi\",\"deadline\":\"2026-11-26T13:00:00\"}", "/deadline"},
            {"{\"prompt\":\"hi\",\"expires_after\":0}", "/expires_after"},
            {"{\"prompt\":\"hi\",\"expires_after\":5,\"deadline\":\"2026-11-26T13:00:00Z\"}", "/expires_after"},
        }) {
            var response = post(bad[0], "application/json", null);
            assertThat(response.statusCode()).as(bad[0]).isEqualTo(422);
            assertThat(json(response).get("errors").get(0).get("pointer").asText())
                    .as(bad[0])
                    .isEqualTo(bad[1]);
        }
        assertThat(producer.history()).as("nothing refused is published").isEmpty();
    }

    @Test
    void publishesABatchAskToTheBatchTopicAndAnInteractiveOneToAskRequests() throws Exception {
        var batch = post("{\"prompt\":\"hi\",\"priority\":\"batch\"}", "application/json", "k-batch");
        var interactive = post("{\"prompt\":\"hi\",\"priority\":\"interactive\"}", "application/json", "k-int");
        var byDefault = post("{\"prompt\":\"hi\"}", "application/json", "k-default");

        assertThat(List.of(batch, interactive, byDefault))
                .allSatisfy(r -> assertThat(r.statusCode()).isEqualTo(202));
        assertThat(producer.history()).hasSize(3);
        assertThat(producer.history().get(0).topic())
                .isEqualTo(topics.batchRequests().name());
        assertThat(producer.history().get(0).value().priority()).isEqualTo(Priority.BATCH);
        assertThat(producer.history().get(1).topic())
                .isEqualTo(topics.requests().name());
        assertThat(producer.history().get(1).value().priority()).isEqualTo(Priority.INTERACTIVE);
        assertThat(producer.history().get(2).topic())
                .isEqualTo(topics.requests().name());
        assertThat(producer.history().get(2).value().priority()).isEqualTo(Priority.INTERACTIVE);
    }

    @Test
    void thePriorityIsPartOfTheIdempotencyFingerprintAndInteractiveIsTheDefault() throws Exception {
        post("{\"prompt\":\"hi\",\"priority\":\"batch\"}", "application/json", "k-batch");
        post("{\"prompt\":\"hi\"}", "application/json", "k-int");

        var otherPriority = post("{\"prompt\":\"hi\"}", "application/json", "k-batch");
        var sameAsDefault = post("{\"prompt\":\"hi\",\"priority\":\"interactive\"}", "application/json", "k-int");

        assertThat(otherPriority.statusCode())
                .as("another priority is another ask")
                .isEqualTo(422);
        assertThat(sameAsDefault.statusCode()).isEqualTo(202);
        assertThat(sameAsDefault.getHeader("Idempotent-Replayed"))
                .as("interactive said or not is the same ask")
                .isEqualTo("true");
        assertThat(producer.history()).hasSize(2);
    }

    @Test
    void refusesAPriorityThatIsNotOneOfTheNames() throws Exception {
        for (String bad : List.of("\"urgent\"", "\"BATCH\"", "1", "true", "[\"batch\"]")) {
            var response = post("{\"prompt\":\"hi\",\"priority\":" + bad + "}", "application/json", null);
            assertThat(response.statusCode()).as(bad).isEqualTo(422);
            assertThat(json(response).get("errors").get(0).get("pointer").asText())
                    .as(bad)
                    .isEqualTo("/priority");
        }
        assertThat(producer.history()).as("nothing refused is published").isEmpty();
    }

    @Test
    void rejectsTheSameKeyWithADifferentPayload() throws Exception {
        post("{\"prompt\":\"hi\"}", "application/json", "k-reused");
        var response = post("{\"prompt\":\"something else\"}", "application/json", "k-reused");

        assertThat(response.statusCode()).isEqualTo(422);
        assertThat(json(response).get("type").asText()).isEqualTo("https://askpipe.io/problems/idempotency-key-reused");
        assertThat(producer.history()).hasSize(1);
    }

    @Test
    void answers409WhileTheFirstRequestIsStillBeingAccepted() throws Exception {
        vertx.close().await();
        start(false);
        var pending = client.post(server.actualPort(), "127.0.0.1", "/v1/ask")
                .putHeader("Authorization", TestCallers.ALICE_BEARER)
                .putHeader("Content-Type", "application/json")
                .putHeader("Idempotency-Key", "busy")
                .sendBuffer(Buffer.buffer("{\"prompt\":\"hi\"}"));
        org.awaitility.Awaitility.await().until(() -> !producer.history().isEmpty());

        var second = post("{\"prompt\":\"hi\"}", "application/json", "busy");
        assertThat(second.statusCode()).isEqualTo(409);
        assertThat(second.getHeader("Retry-After")).isEqualTo("1");
        assertThat(json(second).get("type").asText()).endsWith("/request-in-progress");

        producer.completeNext();
        assertThat(pending.await().statusCode()).isEqualTo(202);
        assertThat(post("{\"prompt\":\"hi\"}", "application/json", "busy").getHeader("Idempotent-Replayed"))
                .isEqualTo("true");
    }

    @Test
    void answersBeforeTheAnswerIsRecordedAndARetryMeanwhileWaitsForItAndIsReplayed() throws Exception {
        ledger.holdMarks();
        var first = post("{\"prompt\":\"hi\"}", "application/json", "marked-later");
        assertThat(first.statusCode()).as("answered while its mark waits").isEqualTo(202);

        var retry = client.post(server.actualPort(), "127.0.0.1", "/v1/ask")
                .putHeader("Authorization", TestCallers.ALICE_BEARER)
                .putHeader("Content-Type", "application/json")
                .putHeader("Idempotency-Key", "marked-later")
                .sendBuffer(Buffer.buffer("{\"prompt\":\"hi\"}"));
        Thread.sleep(200);
        assertThat(retry.isComplete()).as("the retry waits for the mark").isFalse();

        ledger.releaseHeldMarks();
        var replayed = retry.await();
        assertThat(replayed.statusCode()).isEqualTo(202);
        assertThat(replayed.getHeader("Idempotent-Replayed")).isEqualTo("true");
        assertThat(replayed.bodyAsString()).isEqualTo(first.bodyAsString());
        assertThat(producer.history()).as("published once").hasSize(1);
    }

    @Test
    void aRetryOfAnAskWhoseAnswerCouldNotBeRecordedIsToldItIsStillInProgress() throws Exception {
        ledger.holdMarks();
        assertThat(post("{\"prompt\":\"hi\"}", "application/json", "mark-failed")
                        .statusCode())
                .isEqualTo(202);
        ledger.failHeldMarks();

        var retry = post("{\"prompt\":\"hi\"}", "application/json", "mark-failed");
        assertThat(retry.statusCode())
                .as("the ledger's recovery marks it later")
                .isEqualTo(409);
        assertThat(json(retry).get("type").asText()).endsWith("/request-in-progress");
        assertThat(producer.history()).hasSize(1);
    }

    @Test
    void generatesAnIdempotencyKeyWhenNoneIsGiven() {
        var response = post("{\"prompt\":\"hi\"}", "application/json; charset=utf-8", null);
        assertThat(response.statusCode()).isEqualTo(202);
        String key = response.getHeader("Idempotency-Key");
        assertThat(key).isNotBlank();
        assertThat(producer.history().getFirst().value().idempotencyKey()).isEqualTo(key);
    }

    @Test
    void rejectsWrongContentType() throws Exception {
        var response = post("prompt=hi", "application/x-www-form-urlencoded", "k");
        assertThat(response.statusCode()).isEqualTo(415);
        assertThat(json(response).get("type").asText()).endsWith("/unsupported-media-type");
        assertThat(producer.history()).isEmpty();
    }

    @Test
    void rejectsMalformedJson() throws Exception {
        var response = post("{\"prompt\":", "application/json", "k");
        assertThat(response.statusCode()).isEqualTo(400);
        assertThat(response.getHeader("Content-Type")).isEqualTo("application/problem+json");
        assertThat(json(response).get("type").asText()).endsWith("/malformed-request");
    }

    @Test
    void rejectsInvalidFieldsNamingThem() throws Exception {
        assertThat(json(post("{}", "application/json", "k")).get("detail").asText())
                .isEqualTo("/prompt is required");
        assertThat(json(post("{\"prompt\":42}", "application/json", "k"))
                        .get("detail")
                        .asText())
                .isEqualTo("/prompt must be a string");
        assertThat(json(post("{\"prompt\":\"" + "x".repeat(101) + "\"}", "application/json", "k"))
                        .get("detail")
                        .asText())
                .contains("/prompt must be at most 100");
        var unknown = post("{\"prompt\":\"hi\",\"temprature\":1}", "application/json", "k");
        assertThat(unknown.statusCode()).isEqualTo(422);
        assertThat(json(unknown).get("detail").asText()).startsWith("/temprature");
        assertThat(producer.history()).isEmpty();
    }

    @Test
    void rejectsAnOverlongIdempotencyKey() {
        assertThat(post("{\"prompt\":\"hi\"}", "application/json", "k".repeat(256))
                        .statusCode())
                .isEqualTo(400);
        assertThat(post("{\"prompt\":\"hi\"}", "application/json", "k".repeat(255))
                        .statusCode())
                .isEqualTo(202);
    }

    @Test
    void answers503WithRetryAfterWhenKafkaRefuses() throws Exception {
        vertx.close().await();
        start(false);
        var pending = client.post(server.actualPort(), "127.0.0.1", "/v1/ask")
                .putHeader("Authorization", TestCallers.ALICE_BEARER)
                .putHeader("Content-Type", "application/json")
                .sendBuffer(Buffer.buffer("{\"prompt\":\"hi\"}"));
        org.awaitility.Awaitility.await().until(() -> !producer.history().isEmpty());
        producer.errorNext(new NotEnoughReplicasException("min.insync.replicas not met"));

        var response = pending.await();
        assertThat(response.statusCode()).isEqualTo(503);
        assertThat(response.getHeader("Retry-After")).isEqualTo("2");
        assertThat(json(response).get("type").asText()).endsWith("/service-unavailable");
        assertThat(response.bodyAsString()).doesNotContain("NotEnoughReplicas");
    }

    @Test
    void refusesABackendThatIsNotRegisteredAndPublishesNothing() throws Exception {
        var response = post("{\"prompt\":\"hi\",\"backend\":\"nope\"}", "application/json", "k-nope");

        assertThat(response.statusCode()).isEqualTo(422);
        JsonNode problem = json(response);
        assertThat(problem.get("type").asText()).endsWith("/validation-failed");
        assertThat(problem.get("errors").get(0).get("pointer").asText()).isEqualTo("/backend");
        assertThat(problem.get("detail").asText())
                .isEqualTo(
                        "/backend 'nope' is not a backend of this deployment (it has dryrun, openai, llama, anthropic)");
        assertThat(producer.history()).isEmpty();
    }

    @Test
    void refusesAModelThatIsNotPermittedAndPublishesNothing() throws Exception {
        var response = post("{\"prompt\":\"hi\",\"model\":\"o1-pro\"}", "application/json", "k-o1");

        assertThat(response.statusCode()).isEqualTo(422);
        JsonNode problem = json(response);
        assertThat(problem.get("errors").get(0).get("pointer").asText()).isEqualTo("/model");
        assertThat(problem.get("detail").asText())
                .isEqualTo("/model 'o1-pro' is not a permitted model (permitted: gpt-4o*, m)");
        assertThat(producer.history()).isEmpty();
    }

    @Test
    void acceptsARegisteredBackendWithAPermittedModel() throws Exception {
        var response =
                post("{\"prompt\":\"hi\",\"backend\":\"llama\",\"model\":\"GPT-4o-mini\"}", "application/json", "k-ok");

        assertThat(response.statusCode()).isEqualTo(202);
        assertThat(producer.history()).hasSize(1);
        AskRequest published = producer.history().getFirst().value();
        assertThat(published.backend()).isEqualTo("llama");
        assertThat(published.model())
                .as("patterns match without regard to case")
                .isEqualTo("GPT-4o-mini");
    }

    @Test
    void anAskTheBrokerRefusesForItsSizeIsSetAsideAndEveryRetryWithItsKeyGetsThe413() throws Exception {
        vertx.close().await();
        start(false);
        var pending = client.post(server.actualPort(), "127.0.0.1", "/v1/ask")
                .putHeader("Authorization", TestCallers.ALICE_BEARER)
                .putHeader("Content-Type", "application/json")
                .putHeader("Idempotency-Key", "too-big")
                .sendBuffer(Buffer.buffer("{\"prompt\":\"hi\"}"));
        org.awaitility.Awaitility.await().until(() -> !producer.history().isEmpty());
        producer.errorNext(new RecordTooLargeException("larger than max.request.size"));

        var response = pending.await();
        var retry = post("{\"prompt\":\"hi\"}", "application/json", "too-big");

        assertThat(response.statusCode()).isEqualTo(413);
        assertThat(json(response).get("type").asText()).endsWith("/payload-too-large");
        assertThat(response.getHeader("Retry-After")).isNull();
        assertThat(retry.statusCode())
                .as("a final answer, not a 409 until the TTL runs out")
                .isEqualTo(413);
        assertThat(producer.history()).as("the retry publishes nothing").hasSize(1);
        assertThat(registry.get("ingest_asks_set_aside")
                        .tag("reason", "too_large")
                        .counter()
                        .count())
                .as("set aside once, counted once")
                .isEqualTo(1.0);
    }

    private static final String CHAT_ASK = """
            {"model": "gpt-4o-mini",
             "messages": [{"role": "system", "content": "Answer with JSON."},
                          {"role": "user", "content": "Weather in Oslo?"}],
             "temperature": 0.2, "stop": "END",
             "response_format": {"type": "json_schema", "json_schema": {"name": "weather",
                                 "schema": {"type": "object", "required": ["celsius"]}}},
             "tools": [{"type": "function", "function": {"name": "get_weather", "parameters": {"type": "object"}}}],
             "tool_choice": "required",
             "metadata": {"team": "search", "ticket": "T-7"}}""";

    @Test
    void acceptsAChatBodyAndPublishesItInCanonicalFormWithItsMetadata() throws Exception {
        var response = post(CHAT_ASK, "application/json", "k-chat");

        assertThat(response.statusCode()).isEqualTo(202);
        AskRequest published = producer.history().getFirst().value();
        assertThat(published.chat().messages()).hasSize(2);
        assertThat(published.chat().messages().getFirst().role()).isEqualTo(Role.SYSTEM);
        assertThat(published.prompt()).isEqualTo("Weather in Oslo?");
        assertThat(published.model()).isEqualTo("gpt-4o-mini");
        assertThat(published.chat().temperature()).isEqualTo(0.2);
        assertThat(published.chat().stop()).containsExactly("END");
        assertThat(published.chat().responseFormat()).isInstanceOf(ResponseFormat.JsonSchema.class);
        assertThat(published.chat().toolChoice()).isEqualTo(ToolChoice.Mode.REQUIRED);
        assertThat(published.metadata()).containsExactly(Map.entry("team", "search"), Map.entry("ticket", "T-7"));
        JsonNode record = Json.mapper()
                .readTree(topics.requests().valueSerde().serializer().serialize("t", published));
        assertThat(record.get("schema_version").asInt()).isEqualTo(2);
        assertThat(record.at("/chat/stop/0").asText()).isEqualTo("END");
    }

    @Test
    void theSameChatBodyWrittenAnotherWayReplaysAndAnotherTemperatureIsAnotherAsk() throws Exception {
        var first = post(CHAT_ASK, "application/json", "k-chat-fp");
        String rewritten = CHAT_ASK.replace("\"stop\": \"END\"", "\"stop\": [\"END\"]")
                .replace("\"team\": \"search\", \"ticket\": \"T-7\"", "\"ticket\": \"T-7\", \"team\": \"search\"");
        assertThat(rewritten).isNotEqualTo(CHAT_ASK);
        var again = post(rewritten, "application/json", "k-chat-fp");
        var warmer = post(CHAT_ASK.replace("0.2", "0.9"), "application/json", "k-chat-fp");

        assertThat(again.statusCode()).isEqualTo(202);
        assertThat(again.getHeader("Idempotent-Replayed")).isEqualTo("true");
        assertThat(again.bodyAsString()).isEqualTo(first.bodyAsString());
        assertThat(warmer.statusCode()).isEqualTo(422);
        assertThat(json(warmer).get("type").asText()).endsWith("/idempotency-key-reused");
        assertThat(producer.history()).as("published once").hasSize(1);
    }
}
