package io.askpipe.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.askpipe.common.CallbackPolicy;
import io.askpipe.common.Chaos;
import io.askpipe.common.HttpServers;
import io.askpipe.common.HttpSettings;
import io.askpipe.schemas.AskRequest;
import io.askpipe.schemas.Json;
import io.askpipe.schemas.Topics;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.ext.web.client.WebClient;
import java.net.InetAddress;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.stream.Stream;
import org.apache.kafka.clients.producer.MockProducer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** A corpus of bad requests: each gets its 4xx problem, with a stable type, and publishes nothing. */
class MalformedRequestsTest {
    private static Vertx vertx;
    private static HttpServer server;
    private static WebClient client;
    private static MockProducer<String, AskRequest> producer;

    @BeforeAll
    static void start() {
        vertx = Vertx.vertx();
        Topics topics = Topics.ofDefaults();
        producer = new MockProducer<>(
                true,
                null,
                new StringSerializer(),
                topics.requests().valueSerde().serializer());
        var router = HttpServers.baseRouter(vertx);
        IngestRoutes.mount(
                router,
                TestCallers.auth(),
                new AskPublisher(producer, topics.requests()),
                new InMemoryAskLedger(),
                Executors.newVirtualThreadPerTaskExecutor(),
                new IngestLimits(2048, 100),
                new CallbackPolicy(false, List.of(), InetAddress::getAllByName),
                Duration.ofSeconds(2),
                Duration.ofMinutes(5),
                Clock.systemUTC(),
                Chaos.of(Chaos.Settings.off(), new SimpleMeterRegistry()),
                new SimpleMeterRegistry());
        server = HttpServers.start(vertx, router, new HttpSettings("127.0.0.1", 0));
        client = WebClient.create(vertx);
    }

    @AfterAll
    static void stop() {
        vertx.close().await();
    }

    /** One bad request and the problem it must get. */
    record Case(
            String name,
            HttpMethod method,
            String path,
            Map<String, String> headers,
            String body,
            int status,
            String type,
            String pointer,
            String authorization) {

        @Override
        public String toString() {
            return name;
        }
    }

    private static final Map<String, String> JSON = Map.of("Content-Type", "application/json");
    private static final String ALICE = TestCallers.ALICE_BEARER;

    private static Case post(String name, String body, int status, String type, String pointer) {
        return new Case(name, HttpMethod.POST, "/v1/ask", JSON, body, status, type, pointer, ALICE);
    }

    private static Case withHeaders(String name, Map<String, String> headers, String body, int status, String type) {
        return new Case(name, HttpMethod.POST, "/v1/ask", headers, body, status, type, null, ALICE);
    }

    private static Case authorized(String name, String authorization, int status, String type) {
        return new Case(
                name, HttpMethod.POST, "/v1/ask", JSON, "{\"prompt\":\"hi\"}", status, type, null, authorization);
    }

    static Stream<Case> corpus() {
        String ok = "{\"prompt\":\"hi\"}";
        return Stream.of(
                post("broken JSON", "{\"prompt\":", 400, "malformed-request", null),
                post("not JSON at all", "prompt=hi", 400, "malformed-request", null),
                post("empty body", "", 400, "malformed-request", null),
                post("JSON array", "[\"hi\"]", 400, "malformed-request", null),
                post("JSON string", "\"hi\"", 400, "malformed-request", null),
                post("JSON null", "null", 400, "malformed-request", null),
                post("trailing garbage", ok + " trailing", 400, "malformed-request", null),
                post("two objects", ok + ok, 400, "malformed-request", null),
                post("duplicate field", "{\"prompt\":\"a\",\"prompt\":\"b\"}", 400, "malformed-request", null),
                post("missing prompt", "{}", 422, "validation-failed", "/prompt"),
                post("null prompt", "{\"prompt\":null}", 422, "validation-failed", "/prompt"),
                post("numeric prompt", "{\"prompt\":42}", 422, "validation-failed", "/prompt"),
                post("boolean prompt", "{\"prompt\":true}", 422, "validation-failed", "/prompt"),
                post("object prompt", "{\"prompt\":{\"text\":\"hi\"}}", 422, "validation-failed", "/prompt"),
                post("array prompt", "{\"prompt\":[\"hi\"]}", 422, "validation-failed", "/prompt"),
                post("empty prompt", "{\"prompt\":\"\"}", 422, "validation-failed", "/prompt"),
                post("blank prompt", "{\"prompt\":\"  \\n\\t \"}", 422, "validation-failed", "/prompt"),
                post("NUL in prompt", "{\"prompt\":\"a\\u0000b\"}", 422, "validation-failed", "/prompt"),
                post("escape character in prompt", "{\"prompt\":\"a\\u001bb\"}", 422, "validation-failed", "/prompt"),
                post(
                        "prompt too long",
                        "{\"prompt\":\"" + "x".repeat(101) + "\"}",
                        422,
                        "validation-failed",
                        "/prompt"),
                post("numeric model", "{\"prompt\":\"hi\",\"model\":4}", 422, "validation-failed", "/model"),
                post("empty model", "{\"prompt\":\"hi\",\"model\":\"\"}", 422, "validation-failed", "/model"),
                post(
                        "model with spaces",
                        "{\"prompt\":\"hi\",\"model\":\"gpt 4\"}",
                        422,
                        "validation-failed",
                        "/model"),
                post(
                        "model too long",
                        "{\"prompt\":\"hi\",\"model\":\"" + "m".repeat(129) + "\"}",
                        422,
                        "validation-failed",
                        "/model"),
                post(
                        "backend not a name",
                        "{\"prompt\":\"hi\",\"backend\":\"Open AI\"}",
                        422,
                        "validation-failed",
                        "/backend"),
                post("numeric backend", "{\"prompt\":\"hi\",\"backend\":1}", 422, "validation-failed", "/backend"),
                post(
                        "unknown field",
                        "{\"prompt\":\"hi\",\"temperature\":0.2}",
                        422,
                        "validation-failed",
                        "/temperature"),
                post(
                        "body over the limit",
                        "{\"prompt\":\"" + "x".repeat(4096) + "\"}",
                        413,
                        "payload-too-large",
                        null),
                withHeaders("no content type", Map.of(), ok, 415, "unsupported-media-type"),
                withHeaders("text/plain", Map.of("Content-Type", "text/plain"), ok, 415, "unsupported-media-type"),
                withHeaders(
                        "form encoded",
                        Map.of("Content-Type", "application/x-www-form-urlencoded"),
                        ok,
                        415,
                        "unsupported-media-type"),
                withHeaders("XML", Map.of("Content-Type", "application/xml"), ok, 415, "unsupported-media-type"),
                withHeaders(
                        "Idempotency-Key too long",
                        Map.of("Content-Type", "application/json", "Idempotency-Key", "k".repeat(256)),
                        ok,
                        400,
                        "malformed-request"),
                withHeaders(
                        "Idempotency-Key with a space",
                        Map.of("Content-Type", "application/json", "Idempotency-Key", "two words"),
                        ok,
                        400,
                        "malformed-request"),
                withHeaders(
                        "empty Idempotency-Key",
                        Map.of("Content-Type", "application/json", "Idempotency-Key", ""),
                        ok,
                        400,
                        "malformed-request"),
                withHeaders(
                        "Idempotency-Key not ASCII",
                        Map.of("Content-Type", "application/json", "Idempotency-Key", "cl\u00e9"),
                        ok,
                        400,
                        "malformed-request"),
                withHeaders(
                        "oversized header",
                        Map.of("Content-Type", "application/json", "X-Padding", "p".repeat(20_000)),
                        ok,
                        431,
                        "headers-too-large"),
                authorized("no Authorization", null, 401, "unauthorized"),
                authorized("Basic credentials", "Basic YWxpY2U6c2VjcmV0", 401, "unauthorized"),
                authorized("Bearer without a key", "Bearer ", 401, "unauthorized"),
                authorized("unknown key", "Bearer ak_guessed", 401, "unauthorized"),
                authorized("key without its scheme", "ak_alice", 401, "unauthorized"),
                authorized("revoked key", TestCallers.REVOKED_BEARER, 401, "unauthorized"),
                authorized("key of a disabled user", TestCallers.DISABLED_BEARER, 403, "forbidden"),
                new Case("wrong method", HttpMethod.PUT, "/v1/ask", JSON, ok, 405, "method-not-allowed", null, ALICE),
                new Case("unknown path", HttpMethod.POST, "/v1/asks/nope", JSON, ok, 404, "not-found", null, ALICE),
                new Case(
                        "URI too long",
                        HttpMethod.GET,
                        "/v1/ask/" + "x".repeat(10_000),
                        Map.of(),
                        null,
                        414,
                        "uri-too-long",
                        null,
                        ALICE));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("corpus")
    void answersWithItsProblemAndPublishesNothing(Case c) throws Exception {
        int published = producer.history().size();
        var request = client.request(c.method(), server.actualPort(), "127.0.0.1", c.path());
        c.headers().forEach(request::putHeader);
        if (c.authorization() != null) {
            request.putHeader("Authorization", c.authorization());
        }
        var response = (c.body() == null ? request.send() : request.sendBuffer(Buffer.buffer(c.body()))).await();

        assertThat(response.statusCode()).isEqualTo(c.status());
        assertThat(response.getHeader("Content-Type")).isEqualTo("application/problem+json");
        JsonNode problem = Json.mapper().readTree(response.bodyAsString());
        assertThat(problem.get("type").asText()).isEqualTo("https://askpipe.io/problems/" + c.type());
        assertThat(problem.get("status").asInt()).isEqualTo(c.status());
        assertThat(response.bodyAsString()).doesNotContain("Exception").doesNotContain("\tat ");
        if (c.pointer() != null) {
            assertThat(problem.get("errors").get(0).get("pointer").asText()).isEqualTo(c.pointer());
            assertThat(problem.get("detail").asText()).startsWith(c.pointer());
        }
        assertThat(producer.history()).hasSize(published);
    }
}
