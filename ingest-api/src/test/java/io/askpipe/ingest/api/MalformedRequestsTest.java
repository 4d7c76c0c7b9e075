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
import io.askpipe.schemas.Topics;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.ext.web.client.WebClient;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
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
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/** A corpus of bad requests: each gets its 4xx problem, with a stable type, and publishes nothing. */
class MalformedRequestsTest {
    private static Vertx vertx;
    private static HttpServer server;
    private static WebClient client;
    private static MockProducer<String, AskRequest> producer;
    /** The built-in backends, and two model families only. */
    private static final BackendCatalog CATALOG =
            BackendCatalog.fromEnv(Env.of(Map.of("ASKPIPE_MODELS", "gpt-4o-mini,llama3*")));

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
        new IngestRoutes(
                        new AskPublisher(producer, topics),
                        new InMemoryAskLedger(),
                        io.askpipe.ingest.quota.Quotas.NONE,
                        Executors.newVirtualThreadPerTaskExecutor(),
                        new IngestLimits(2048, 100, CATALOG),
                        new CallbackPolicy(false, List.of(), MalformedRequestsTest::resolve),
                        Duration.ofSeconds(2),
                        Duration.ofMinutes(5),
                        Clock.systemUTC(),
                        FaultInjector.NONE,
                        new SimpleMeterRegistry())
                .mount(router, TestCallers.auth());
        server = HttpServers.start(vertx, router, new HttpSettings("127.0.0.1", 0));
        client = WebClient.create(vertx);
    }

    /**
     * Callback hosts whose only answer is an IPv6 address embedding loopback, handed back as a
     * resolver does: as {@link Inet6Address}, an IPv4-mapped one too (not folded to IPv4). No
     * other name resolves.
     */
    private static final Map<String, String> EMBEDDING_LOOPBACK = Map.of(
            "mapped.example.com", "::ffff:127.0.0.1",
            "nat64.example.com", "64:ff9b::7f00:1",
            "sixtofour.example.com", "2002:7f00:1::",
            "teredo.example.com", "2001:0:5db8:d70e:0:0:80ff:fffe");

    private static InetAddress[] resolve(String host) throws UnknownHostException {
        String literal = EMBEDDING_LOOPBACK.get(host);
        if (literal == null) {
            throw new UnknownHostException(host); // no lookups beyond this machine
        }
        byte[] bytes = InetAddress.getByName(literal).getAddress();
        if (bytes.length == 4) {
            bytes = new byte[] {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, -1, -1, bytes[0], bytes[1], bytes[2], bytes[3]};
        }
        return new InetAddress[] {Inet6Address.getByAddress(host, bytes, -1)};
    }

    private static String callback(String host) {
        return "{\"prompt\":\"hi\",\"callback_url\":\"https://" + host + "/hook\"}";
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
                        "{\"prompt\":\"hi\",\"temprature\":0.2}",
                        422,
                        "validation-failed",
                        "/temprature"),
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
                        ALICE),
                post(
                        "callback resolving to IPv4-mapped loopback",
                        callback("mapped.example.com"),
                        422,
                        "validation-failed",
                        "/callback_url"),
                post(
                        "callback resolving to NAT64 of loopback",
                        callback("nat64.example.com"),
                        422,
                        "validation-failed",
                        "/callback_url"),
                post(
                        "callback resolving to 6to4 of loopback",
                        callback("sixtofour.example.com"),
                        422,
                        "validation-failed",
                        "/callback_url"),
                post(
                        "callback resolving to Teredo of loopback",
                        callback("teredo.example.com"),
                        422,
                        "validation-failed",
                        "/callback_url"),
                authorized(
                        "key with another prefix",
                        "Bearer sk_" + TestCallers.ALICE_KEY.substring(3),
                        401,
                        "unauthorized"),
                authorized(
                        "key with an upper-case prefix",
                        "Bearer AK_" + TestCallers.ALICE_KEY.substring(3),
                        401,
                        "unauthorized"),
                authorized(
                        "key too short",
                        "Bearer " + TestCallers.ALICE_KEY.substring(0, TestCallers.ALICE_KEY.length() - 1),
                        401,
                        "unauthorized"),
                authorized("key too long", "Bearer " + TestCallers.ALICE_KEY + "A", 401, "unauthorized"),
                authorized(
                        "key with a trailing junk character",
                        "Bearer " + TestCallers.ALICE_KEY + "!",
                        401,
                        "unauthorized"),
                authorized(
                        "key with base64 padding",
                        "Bearer " + TestCallers.ALICE_KEY.substring(0, 45) + "=",
                        401,
                        "unauthorized"),
                authorized(
                        "key with + and / of plain base64",
                        "Bearer ak_+/" + TestCallers.ALICE_KEY.substring(5),
                        401,
                        "unauthorized"),
                authorized(
                        "key with a space inside",
                        "Bearer " + TestCallers.ALICE_KEY.substring(0, 20) + " " + TestCallers.ALICE_KEY.substring(21),
                        401,
                        "unauthorized"),
                authorized(
                        "key with a last character no 32 bytes end in",
                        "Bearer " + TestCallers.ALICE_KEY.substring(0, 45) + "B",
                        401,
                        "unauthorized"),
                authorized(
                        "key with a non-ASCII character",
                        "Bearer " + TestCallers.ALICE_KEY.substring(0, 45) + "\u00e9",
                        401,
                        "unauthorized"),
                authorized("two keys", TestCallers.ALICE_BEARER + " " + TestCallers.ALICE_KEY, 401, "unauthorized"),
                authorized("unknown well-formed key", "Bearer " + TestCallers.key("guessed"), 401, "unauthorized"),
                post(
                        "unregistered backend",
                        "{\"prompt\":\"hi\",\"backend\":\"nope\"}",
                        422,
                        "validation-failed",
                        "/backend"),
                post(
                        "permitted model on an unregistered backend",
                        "{\"prompt\":\"hi\",\"backend\":\"nope\",\"model\":\"gpt-4o-mini\"}",
                        422,
                        "validation-failed",
                        "/backend"),
                post(
                        "model not permitted",
                        "{\"prompt\":\"hi\",\"model\":\"gpt-4.5-preview\"}",
                        422,
                        "validation-failed",
                        "/model"),
                post(
                        "model not permitted on a registered backend",
                        "{\"prompt\":\"hi\",\"backend\":\"llama\",\"model\":\"mixtral-8x22b\"}",
                        422,
                        "validation-failed",
                        "/model"));
    }

    /** A body of one user message ("hi") and {@code fields}, a comma-separated list of members. */
    private static String chat(String fields) {
        return "{\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]" + (fields.isEmpty() ? "" : "," + fields) + "}";
    }

    /** A body of {@code messages} (a JSON array) and {@code fields}. */
    private static String conversation(String messages, String fields) {
        return "{\"messages\":" + messages + (fields.isEmpty() ? "" : "," + fields) + "}";
    }

    private static Case invalid(String name, String body, String pointer) {
        return post(name, body, 422, "validation-failed", pointer);
    }

    private static final String WEATHER_TOOL =
            "\"tools\":[{\"type\":\"function\",\"function\":{\"name\":\"get_weather\",\"parameters\":{\"type\":\"object\"}}}]";
    private static final String ASKED = "{\"role\":\"user\",\"content\":\"weather?\"}";
    private static final String CALLED = "{\"role\":\"assistant\",\"tool_calls\":[{\"id\":\"c1\",\"type\":\"function\","
            + "\"function\":{\"name\":\"get_weather\",\"arguments\":\"{}\"}}]}";

    /** Chat bodies that are wrong in one field each: a 422 naming it, and nothing published. */
    static Stream<Case> chatCorpus() {
        return Stream.of(
                invalid("prompt and messages", "{\"prompt\":\"hi\",\"messages\":[]}", "/prompt"),
                invalid("stream", chat("\"stream\":true"), "/stream"),
                invalid("stream options", chat("\"stream_options\":{\"include_usage\":true}"), "/stream_options"),
                invalid("two answers", chat("\"n\":2"), "/n"),
                invalid("log probabilities", chat("\"logprobs\":true"), "/logprobs"),
                invalid("top log probabilities", chat("\"top_logprobs\":3"), "/top_logprobs"),
                invalid("audio", chat("\"audio\":{\"voice\":\"alloy\",\"format\":\"mp3\"}"), "/audio"),
                invalid("audio modality", chat("\"modalities\":[\"text\",\"audio\"]"), "/modalities"),
                invalid("deprecated functions", chat("\"functions\":[]"), "/functions"),
                invalid("deprecated function_call", chat("\"function_call\":\"auto\""), "/function_call"),
                invalid("OpenAI's store at the top", chat("\"store\":true"), "/store"),
                invalid("OpenAI's service tier at the top", chat("\"service_tier\":\"flex\""), "/service_tier"),
                invalid("no messages", "{\"messages\":[]}", "/messages"),
                invalid("messages not an array", "{\"messages\":{\"role\":\"user\"}}", "/messages"),
                invalid("a message that is not an object", "{\"messages\":[\"hi\"]}", "/messages/0"),
                invalid("no role", "{\"messages\":[{\"content\":\"hi\"}]}", "/messages/0/role"),
                invalid("unknown role", "{\"messages\":[{\"role\":\"robot\",\"content\":\"hi\"}]}", "/messages/0/role"),
                invalid("user message without content", "{\"messages\":[{\"role\":\"user\"}]}", "/messages/0/content"),
                invalid("numeric content", "{\"messages\":[{\"role\":\"user\",\"content\":7}]}", "/messages/0/content"),
                invalid(
                        "blank system prompt",
                        conversation("[{\"role\":\"system\",\"content\":\" \"}," + ASKED + "]", ""),
                        "/messages/0/content"),
                invalid(
                        "control character in a message",
                        "{\"messages\":[{\"role\":\"user\",\"content\":\"a\\u0000b\"}]}",
                        "/messages/0/content"),
                invalid(
                        "unknown field of a message",
                        "{\"messages\":[{\"role\":\"user\",\"content\":\"hi\",\"audio\":{}}]}",
                        "/messages/0/audio"),
                invalid(
                        "unknown part type",
                        "{\"messages\":[{\"role\":\"user\",\"content\":[{\"type\":\"input_audio\"}]}]}",
                        "/messages/0/content/0/type"),
                invalid(
                        "text part without text",
                        "{\"messages\":[{\"role\":\"user\",\"content\":[{\"type\":\"text\"}]}]}",
                        "/messages/0/content/0/text"),
                invalid(
                        "image over plain http",
                        "{\"messages\":[{\"role\":\"user\",\"content\":[{\"type\":\"image_url\","
                                + "\"image_url\":{\"url\":\"http://images.example.com/a.png\"}}]}]}",
                        "/messages/0/content/0/image_url/url"),
                invalid(
                        "image of another data type",
                        "{\"messages\":[{\"role\":\"user\",\"content\":[{\"type\":\"image_url\","
                                + "\"image_url\":{\"url\":\"data:text/plain;base64,aGk=\"}}]}]}",
                        "/messages/0/content/0/image_url/url"),
                invalid(
                        "image data that is not base64",
                        "{\"messages\":[{\"role\":\"user\",\"content\":[{\"type\":\"image_url\","
                                + "\"image_url\":{\"url\":\"data:image/png;base64,not base64!\"}}]}]}",
                        "/messages/0/content/0/image_url/url"),
                invalid(
                        "image with an unknown detail",
                        "{\"messages\":[{\"role\":\"user\",\"content\":[{\"type\":\"image_url\","
                                + "\"image_url\":{\"url\":\"https://images.example.com/a.png\",\"detail\":\"max\"}}]}]}",
                        "/messages/0/content/0/image_url/detail"),
                invalid(
                        "image in a system message",
                        conversation(
                                "[{\"role\":\"system\",\"content\":[{\"type\":\"image_url\",\"image_url\":"
                                        + "{\"url\":\"https://images.example.com/a.png\"}}]}," + ASKED + "]",
                                ""),
                        "/messages/0/content/0/type"),
                invalid(
                        "image in the fourth message",
                        conversation(
                                "[{\"role\":\"system\",\"content\":\"be brief\"}," + ASKED
                                        + ",{\"role\":\"assistant\",\"content\":\"which city?\"},"
                                        + "{\"role\":\"user\",\"content\":[{\"type\":\"image_url\",\"image_url\":"
                                        + "{\"url\":\"ftp://images.example.com/city.png\"}}]}]",
                                ""),
                        "/messages/3/content/0/image_url/url"),
                invalid(
                        "tool message without tool_call_id",
                        conversation(
                                "[" + ASKED + "," + CALLED + ",{\"role\":\"tool\",\"content\":\"21 C\"}]",
                                WEATHER_TOOL),
                        "/messages/2/tool_call_id"),
                invalid(
                        "tool message answering no call",
                        conversation(
                                "[" + ASKED + ",{\"role\":\"tool\",\"tool_call_id\":\"c9\",\"content\":\"21 C\"}]", ""),
                        "/messages/1/tool_call_id"),
                invalid(
                        "tool call without a function name",
                        conversation(
                                "[" + ASKED
                                        + ",{\"role\":\"assistant\",\"tool_calls\":[{\"id\":\"c1\",\"type\":\"function\","
                                        + "\"function\":{\"arguments\":\"{}\"}}]}]",
                                ""),
                        "/messages/1/tool_calls/0/function/name"),
                invalid(
                        "tool call arguments that are not a string",
                        conversation(
                                "[" + ASKED
                                        + ",{\"role\":\"assistant\",\"tool_calls\":[{\"id\":\"c1\",\"type\":\"function\","
                                        + "\"function\":{\"name\":\"get_weather\",\"arguments\":{\"city\":\"Oslo\"}}}]}]",
                                ""),
                        "/messages/1/tool_calls/0/function/arguments"),
                invalid(
                        "tool calls on a user message",
                        "{\"messages\":[{\"role\":\"user\",\"content\":\"hi\",\"tool_calls\":[]}]}",
                        "/messages/0/tool_calls"),
                invalid(
                        "assistant message with an empty list of tool calls",
                        conversation("[" + ASKED + ",{\"role\":\"assistant\",\"tool_calls\":[]}]", ""),
                        "/messages/1/tool_calls"),
                invalid(
                        "assistant message with empty content and no tool calls",
                        conversation("[" + ASKED + ",{\"role\":\"assistant\",\"content\":\"\"}]", ""),
                        "/messages/1/content"),
                invalid(
                        "empty text part",
                        "{\"messages\":[{\"role\":\"user\",\"content\":[{\"type\":\"text\",\"text\":\"\"}]}]}",
                        "/messages/0/content/0/text"),
                invalid(
                        "assistant message without content or tool calls",
                        conversation("[" + ASKED + ",{\"role\":\"assistant\"}]", ""),
                        "/messages/1/content"),
                invalid(
                        "the conversation's text over the limit",
                        conversation(
                                "[{\"role\":\"system\",\"content\":\"" + "s".repeat(60) + "\"},"
                                        + "{\"role\":\"user\",\"content\":\"" + "u".repeat(60) + "\"}]",
                                ""),
                        "/messages/1/content"),
                invalid("temperature above 2", chat("\"temperature\":2.5"), "/temperature"),
                invalid("negative temperature", chat("\"temperature\":-0.1"), "/temperature"),
                invalid("temperature as a string", chat("\"temperature\":\"0.2\""), "/temperature"),
                invalid("top_p above 1", chat("\"top_p\":1.5"), "/top_p"),
                invalid("presence penalty below -2", chat("\"presence_penalty\":-3"), "/presence_penalty"),
                invalid("frequency penalty above 2", chat("\"frequency_penalty\":2.01"), "/frequency_penalty"),
                invalid("no tokens", chat("\"max_tokens\":0"), "/max_tokens"),
                invalid("a fraction of a token", chat("\"max_tokens\":1.5"), "/max_tokens"),
                invalid("no completion tokens", chat("\"max_completion_tokens\":0"), "/max_completion_tokens"),
                invalid("seed that is not whole", chat("\"seed\":4.2"), "/seed"),
                invalid("five stop sequences", chat("\"stop\":[\"a\",\"b\",\"c\",\"d\",\"e\"]"), "/stop"),
                invalid("an empty stop sequence", chat("\"stop\":[\"END\",\"\"]"), "/stop/1"),
                invalid("a bias beyond 100", chat("\"logit_bias\":{\"50256\":101}"), "/logit_bias/50256"),
                invalid("a bias not keyed by a token", chat("\"logit_bias\":{\"hello\":1}"), "/logit_bias/hello"),
                invalid(
                        "unknown response format",
                        chat("\"response_format\":{\"type\":\"xml\"}"),
                        "/response_format/type"),
                invalid(
                        "json_schema without a name",
                        chat(
                                "\"response_format\":{\"type\":\"json_schema\",\"json_schema\":{\"schema\":{\"type\":\"object\"}}}"),
                        "/response_format/json_schema/name"),
                invalid(
                        "json_schema without a schema",
                        chat("\"response_format\":{\"type\":\"json_schema\",\"json_schema\":{\"name\":\"report\"}}"),
                        "/response_format/json_schema/schema"),
                invalid(
                        "tool without a function name",
                        chat("\"tools\":[{\"type\":\"function\",\"function\":{\"description\":\"?\"}}]"),
                        "/tools/0/function/name"),
                invalid(
                        "tool of another type",
                        chat("\"tools\":[{\"type\":\"custom\",\"custom\":{\"name\":\"x\"}}]"),
                        "/tools/0/type"),
                invalid(
                        "tool parameters that are not a schema",
                        chat("\"tools\":[{\"type\":\"function\",\"function\":{\"name\":\"f\",\"parameters\":\"x\"}}]"),
                        "/tools/0/function/parameters"),
                invalid(
                        "tool_choice naming no tool",
                        chat(WEATHER_TOOL
                                + ",\"tool_choice\":{\"type\":\"function\",\"function\":{\"name\":\"get_time\"}}"),
                        "/tool_choice/function/name"),
                invalid("tool_choice without tools", chat("\"tool_choice\":\"required\""), "/tool_choice"),
                invalid("unknown tool_choice", chat(WEATHER_TOOL + ",\"tool_choice\":\"always\""), "/tool_choice"),
                invalid(
                        "parallel tool calls without tools",
                        chat("\"parallel_tool_calls\":false"),
                        "/parallel_tool_calls"),
                invalid("unknown reasoning effort", chat("\"reasoning_effort\":\"extreme\""), "/reasoning_effort"),
                invalid("extra that is not an object", chat("\"extra\":[]"), "/extra"),
                invalid("a carried field under extra", chat("\"extra\":{\"temperature\":9}"), "/extra/temperature"),
                invalid("streaming under extra", chat("\"extra\":{\"stream\":true}"), "/extra/stream"),
                invalid(
                        "a number beyond a double under extra",
                        "{\"prompt\":\"x\",\"extra\":{\"a\":1e400}}",
                        "/extra/a"),
                invalid(
                        "a number beyond a double in a tool's parameters",
                        chat(
                                "\"tools\":[{\"type\":\"function\",\"function\":{\"name\":\"f\",\"parameters\":"
                                        + "{\"type\":\"object\",\"properties\":{\"x\":{\"type\":\"number\",\"maximum\":1e400}}}}}]"),
                        "/tools/0/function/parameters/properties/x/maximum"),
                invalid(
                        "a number beyond a double in a response schema",
                        chat("\"response_format\":{\"type\":\"json_schema\",\"json_schema\":{\"name\":\"r\","
                                + "\"schema\":{\"type\":\"number\",\"minimum\":-1e400}}}"),
                        "/response_format/json_schema/schema/minimum"),
                invalid("a temperature beyond a double", chat("\"temperature\":1e400"), "/temperature"),
                invalid("a seed beyond a double", chat("\"seed\":-1e400"), "/seed"),
                invalid("a bias beyond a double", chat("\"logit_bias\":{\"11\":1e400}"), "/logit_bias/11"),
                invalid("metadata that is not an object", chat("\"metadata\":\"team=search\""), "/metadata"),
                invalid(
                        "seventeen metadata pairs",
                        chat("\"metadata\":{"
                                + java.util.stream.IntStream.range(0, 17)
                                        .mapToObj(i -> "\"k" + i + "\":\"v\"")
                                        .collect(java.util.stream.Collectors.joining(","))
                                + "}"),
                        "/metadata"),
                invalid(
                        "a metadata key too long",
                        chat("\"metadata\":{\"" + "k".repeat(65) + "\":\"v\"}"),
                        "/metadata/" + "k".repeat(65)),
                invalid(
                        "a metadata value too long",
                        chat("\"metadata\":{\"team\":\"" + "v".repeat(513) + "\"}"),
                        "/metadata/team"),
                invalid("a metadata value that is a number", chat("\"metadata\":{\"a/b\":7}"), "/metadata/a~1b"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("chatCorpus")
    void answersAWrongChatBodyWithAProblemNamingTheFieldAndPublishesNothing(Case c) throws Exception {
        answersWithItsProblemAndPublishesNothing(c);
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(
            strings = {
                "mapped.example.com",
                "nat64.example.com",
                "sixtofour.example.com",
                "teredo.example.com",
                "nowhere.invalid"
            })
    void aCallbackRefusedForWhereItLeadsIsToldOnlyThatItMustLeadToPublicAddresses(String host) throws Exception {
        var response = client.post(server.actualPort(), "127.0.0.1", "/v1/ask")
                .putHeader("Content-Type", "application/json")
                .putHeader("Authorization", ALICE)
                .sendBuffer(Buffer.buffer(callback(host)))
                .await();

        assertThat(response.statusCode()).isEqualTo(422);
        JsonNode problem = Json.mapper().readTree(response.bodyAsString());
        assertThat(problem.get("detail").asText()).isEqualTo("/callback_url must resolve only to public addresses");
        assertThat(response.bodyAsString())
                .as("nothing of what the name resolves to, or whether it does")
                .doesNotContain("127.0.0.1", "7f00", "ffff", "80ff", "2002:", "64:ff9b", "not resolve");
    }

    @Test
    void aBodyOverTheLimitIsA413ThatSaysTheLimitInBytesAndPublishesNothing() throws Exception {
        int published = producer.history().size();
        var response = client.post(server.actualPort(), "127.0.0.1", "/v1/ask")
                .putHeader("Content-Type", "application/json")
                .putHeader("Authorization", ALICE)
                .sendBuffer(Buffer.buffer("{\"prompt\":\"" + "x".repeat(2048) + "\"}"))
                .await();

        assertThat(response.statusCode()).isEqualTo(413);
        assertThat(response.getHeader("Content-Type")).isEqualTo("application/problem+json");
        JsonNode problem = Json.mapper().readTree(response.bodyAsString());
        assertThat(problem.get("type").asText()).isEqualTo("https://askpipe.io/problems/payload-too-large");
        assertThat(problem.get("detail").asText()).isEqualTo("The request body exceeds the limit of 2048 bytes");
        assertThat(producer.history()).hasSize(published);
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
