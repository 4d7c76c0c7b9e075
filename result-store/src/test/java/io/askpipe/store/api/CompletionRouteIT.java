package io.askpipe.store.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.openai.core.ObjectMappers;
import com.openai.models.chat.completions.ChatCompletion;
import com.zaxxer.hikari.HikariDataSource;
import io.askpipe.auth.ApiKey;
import io.askpipe.auth.BearerAuth;
import io.askpipe.auth.Credential;
import io.askpipe.auth.User;
import io.askpipe.common.db.DatabaseSettings;
import io.askpipe.common.db.FlywayMigrations;
import io.askpipe.common.http.HttpServers;
import io.askpipe.common.http.HttpSettings;
import io.askpipe.embedded.EmbeddedPostgresServer;
import io.askpipe.embedded.SharedInfrastructure;
import io.askpipe.schemas.AskError;
import io.askpipe.schemas.AskRequest;
import io.askpipe.schemas.AskResult;
import io.askpipe.schemas.ErrorType;
import io.askpipe.schemas.Json;
import io.askpipe.schemas.Usage;
import io.askpipe.schemas.chat.ChatMessage;
import io.askpipe.schemas.chat.FinishReason;
import io.askpipe.schemas.chat.ToolCall;
import io.askpipe.store.sink.AskRepository;
import io.askpipe.store.sink.AskRepositoryIT;
import io.askpipe.store.sink.StoreSchema;
import io.askpipe.store.webhook.WebhookDeliveries;
import io.askpipe.store.webhook.WebhookSecrets;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServer;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.jooq.SQLDialect;
import org.jooq.impl.DSL;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@code GET /v1/ask/{id}/completion} over HTTP against a real PostgreSQL: a succeeded ask is a
 * {@code chat.completion} OpenAI's SDK reads, everything else OpenAI's error object.
 */
class CompletionRouteIT {
    private static final Instant T = Instant.parse("2026-11-26T12:00:00Z");
    private static final Map<String, Credential> KEYS = Map.of(
            key("alice"), credential("alice"),
            key("mallory"), credential("mallory"));

    private HikariDataSource dataSource;
    private AskRepository asks;
    private AskWaiters waiters;
    private Vertx vertx;
    private HttpServer server;
    private WebClient client;

    private static String key(String name) {
        return "ak_" + (name + "A".repeat(43)).substring(0, 43);
    }

    private static Credential credential(String user) {
        return new Credential(
                new ApiKey("k-" + user, user, "f-" + user, "ak_" + user, T, null), new User(user, user, T, null));
    }

    @BeforeEach
    void start() {
        EmbeddedPostgresServer pg = SharedInfrastructure.postgres();
        DatabaseSettings database = new DatabaseSettings(
                pg.createDatabase(SharedInfrastructure.uniqueName("completion")), pg.user(), pg.password(), 4);
        dataSource = database.dataSource("test", StoreSchema.SCHEMA);
        FlywayMigrations.migrate(dataSource, StoreSchema.SCHEMA);
        var db = DSL.using(dataSource, SQLDialect.POSTGRES);
        asks = new AskRepository(db, Clock.systemUTC(), AskRepositoryIT.KEEP_ALL);
        waiters = AskWaiters.start(database, 100, 10);
        vertx = Vertx.vertx();
        Router router = HttpServers.baseRouter(vertx);
        StoreRoutes.mount(
                router,
                BearerAuth.create(secret -> Optional.ofNullable(KEYS.get(secret)), Duration.ofMinutes(1)),
                asks,
                waiters,
                new StoreRoutes.Webhooks(
                        new WebhookDeliveries(db, Clock.systemUTC()),
                        new WebhookSecrets(db, Clock.systemUTC()),
                        Duration.ofHours(1),
                        new ResendLimiter(5, Duration.ofMinutes(1))));
        server = HttpServers.start(vertx, router, new HttpSettings("127.0.0.1", 0));
        client = WebClient.create(vertx);
    }

    @AfterEach
    void stop() {
        vertx.close().await();
        waiters.close();
        dataSource.close();
    }

    private AskRequest queued(String user) {
        String id = UUID.randomUUID().toString();
        AskRequest request = new AskRequest(id, user, "k-" + id, "prompt", null, null, Instant.now());
        asks.upsert(request, null);
        return request;
    }

    private Future<HttpResponse<Buffer>> get(String authorization, String path) {
        var request = client.get(server.actualPort(), "127.0.0.1", path);
        if (authorization != null) {
            request.putHeader("Authorization", authorization);
        }
        return request.send();
    }

    private HttpResponse<Buffer> completion(String user, String id) {
        return get("Bearer " + key(user), "/v1/ask/" + id + "/completion").await();
    }

    private static JsonNode error(HttpResponse<Buffer> response) throws Exception {
        assertThat(response.getHeader("Content-Type")).isEqualTo("application/json");
        return Json.mapper().readTree(response.bodyAsString()).get("error");
    }

    @Test
    void aSucceededAskIsAChatCompletionOpenAisSdkReads() throws Exception {
        AskRequest ask = queued("alice");
        Instant done = Instant.now().truncatedTo(ChronoUnit.MILLIS);
        asks.upsert(
                ask,
                AskResult.succeeded(
                                ask.requestId(),
                                "openai",
                                "gpt-4o-mini",
                                "",
                                Usage.of(40, 12).withCachedTokens(32),
                                812,
                                1,
                                done)
                        .withReply(
                                ChatMessage.assistant(List.of(ToolCall.function("call_1", "get_weather", "{}"))),
                                FinishReason.TOOL_CALLS,
                                "fp_1"));

        var response = completion("alice", ask.requestId());

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.getHeader("Content-Type")).isEqualTo("application/json");
        ChatCompletion completion = ObjectMappers.jsonMapper()
                .readValue(response.bodyAsString(), ChatCompletion.class)
                .validate();
        assertThat(completion.id()).isEqualTo("chatcmpl-" + ask.requestId());
        assertThat(completion.created()).isEqualTo(done.getEpochSecond());
        assertThat(completion.model()).isEqualTo("gpt-4o-mini");
        assertThat(completion.systemFingerprint()).contains("fp_1");
        var choice = completion.choices().getFirst();
        assertThat(choice.finishReason()).isEqualTo(ChatCompletion.Choice.FinishReason.TOOL_CALLS);
        assertThat(choice.message().content()).isEmpty();
        assertThat(choice.message()
                        .toolCalls()
                        .orElseThrow()
                        .getFirst()
                        .asFunction()
                        .function()
                        .name())
                .isEqualTo("get_weather");
        assertThat(completion
                        .usage()
                        .orElseThrow()
                        .promptTokensDetails()
                        .orElseThrow()
                        .cachedTokens())
                .contains(32L);
    }

    @Test
    void aFailedAskIsOpenAisErrorObjectWithTheResultsStatus() throws Exception {
        AskRequest ask = queued("alice");
        asks.upsert(
                ask,
                AskResult.failed(
                        ask.requestId(),
                        "openai",
                        "gpt-4o",
                        new AskError(ErrorType.BACKEND_UNAVAILABLE, "openai is not configured: set OPENAI_API_KEY"),
                        0,
                        1,
                        Instant.now()));

        var response = completion("alice", ask.requestId());

        assertThat(response.statusCode()).isEqualTo(503);
        JsonNode error = error(response);
        assertThat(error.get("code").asText()).isEqualTo("backend_unavailable");
        assertThat(error.get("type").asText()).isEqualTo("server_error");
        assertThat(error.get("message").asText()).contains("OPENAI_API_KEY");
        assertThat(error.get("param").isNull()).isTrue();
    }

    @Test
    void anExpiredAskIsOpenAisTimeoutErrorWithItsOwnCode() throws Exception {
        AskRequest ask = queued("alice");
        asks.upsert(
                ask,
                AskResult.expired(
                        ask.requestId(),
                        "dryrun",
                        null,
                        "the ask's deadline passed before it had an answer",
                        0,
                        0,
                        Instant.now()));

        var response = completion("alice", ask.requestId());

        assertThat(response.statusCode()).isEqualTo(504);
        JsonNode error = error(response);
        assertThat(error.get("code").asText()).isEqualTo("deadline_exceeded");
        assertThat(error.get("type").asText()).isEqualTo("timeout_error");
        assertThat(error.get("message").asText()).contains("deadline passed");
    }

    @Test
    void aCancelledAskIsOpenAisErrorWithItsOwnCodeAndNoRetry() throws Exception {
        AskRequest ask = queued("alice");
        asks.upsert(
                ask,
                AskResult.cancelled(
                        ask.requestId(), "dryrun", null, "the ask was cancelled by its owner", 0, 0, Instant.now()));

        var response = completion("alice", ask.requestId());

        assertThat(response.statusCode()).isEqualTo(499);
        JsonNode error = error(response);
        assertThat(error.get("code").asText()).isEqualTo("cancelled");
        assertThat(error.get("type").asText()).isEqualTo("invalid_request_error");
        assertThat(error.get("message").asText()).contains("cancelled by its owner");
    }

    @Test
    void anUnfinishedAskIsAConflictToTryAgainAndAWaitAnswersOnceItIsDone() throws Exception {
        AskRequest ask = queued("alice");

        var early = completion("alice", ask.requestId());
        assertThat(early.statusCode()).isEqualTo(409);
        assertThat(early.getHeader("Retry-After")).isEqualTo("1");
        assertThat(error(early).get("code").asText()).isEqualTo("ask_not_finished");
        assertThat(error(early).get("message").asText()).contains("queued");

        var waiting = get("Bearer " + key("alice"), "/v1/ask/" + ask.requestId() + "/completion?wait=20");
        Thread.sleep(300);
        asks.upsert(
                ask,
                AskResult.succeeded(
                        ask.requestId(), "dryrun", "dryrun-echo", "[dryrun] prompt", Usage.of(1, 2), 1, 1, T));
        var answered = waiting.await();
        assertThat(answered.statusCode()).isEqualTo(200);
        assertThat(Json.mapper()
                        .readTree(answered.bodyAsString())
                        .at("/choices/0/message/content")
                        .asText())
                .isEqualTo("[dryrun] prompt");
    }

    @Test
    void anotherUsersAskAndNoAskAtAllAreTheSame404() throws Exception {
        AskRequest ask = queued("alice");

        for (String id : List.of(ask.requestId(), UUID.randomUUID().toString(), "not-an-id")) {
            var response = completion("mallory", id);
            assertThat(response.statusCode()).as(id).isEqualTo(404);
            assertThat(error(response).get("type").asText()).isEqualTo("not_found_error");
            assertThat(error(response).get("code").asText()).isEqualTo("not_found");
        }
    }

    @Test
    void withoutAKeyItIsA401ErrorObject() throws Exception {
        var response = get(null, "/v1/ask/" + UUID.randomUUID() + "/completion").await();

        assertThat(response.statusCode()).isEqualTo(401);
        assertThat(response.getHeader("WWW-Authenticate")).startsWith("Bearer");
        assertThat(error(response).get("type").asText()).isEqualTo("authentication_error");
    }

    @Test
    void theAskItselfIsStillAProblemOutsideTheCompletionRoute() {
        var response =
                get("Bearer " + key("mallory"), "/v1/ask/" + UUID.randomUUID()).await();

        assertThat(response.statusCode()).isEqualTo(404);
        assertThat(response.getHeader("Content-Type")).isEqualTo("application/problem+json");
    }
}
