package io.askpipe.store.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

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
import io.askpipe.schemas.AskRequest;
import io.askpipe.schemas.AskResult;
import io.askpipe.schemas.Json;
import io.askpipe.schemas.Problem;
import io.askpipe.schemas.Usage;
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
import java.io.IOException;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
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
 * Floods of the read side's costlier requests from one user, over HTTP against a real PostgreSQL:
 * webhook re-sends and long polls. The flooding user is held to its share; another user is not
 * affected.
 */
class StoreFloodIT {
    private static final int RESENDS_PER_MINUTE = 5;
    private static final int WAITERS_PER_USER = 3;
    private static final Instant T = Instant.parse("2026-11-26T12:00:00Z");
    private static final Map<String, Credential> KEYS = Map.of(
            key("alice"), credential("alice"),
            key("mallory"), credential("mallory"));

    /** A key of the issued form ({@code ak_} and 43 base64url characters) that starts with {@code name}. */
    private static String key(String name) {
        return "ak_" + (name + "A".repeat(43)).substring(0, 43);
    }

    private HikariDataSource dataSource;
    private AskRepository asks;
    private WebhookDeliveries deliveries;
    private AskWaiters waiters;
    private Vertx vertx;
    private HttpServer server;
    private WebClient client;

    private static Credential credential(String user) {
        return new Credential(
                new ApiKey("k-" + user, user, "f-" + user, "ak_" + user, T, null), new User(user, user, T, null));
    }

    @BeforeEach
    void start() {
        EmbeddedPostgresServer pg = SharedInfrastructure.postgres();
        DatabaseSettings database = new DatabaseSettings(
                pg.createDatabase(SharedInfrastructure.uniqueName("flood")), pg.user(), pg.password(), 8);
        dataSource = database.dataSource("test", StoreSchema.SCHEMA);
        FlywayMigrations.migrate(dataSource, StoreSchema.SCHEMA);
        var db = DSL.using(dataSource, SQLDialect.POSTGRES);
        asks = new AskRepository(db, Clock.systemUTC(), AskRepositoryIT.KEEP_ALL);
        deliveries = new WebhookDeliveries(db, Clock.systemUTC());
        waiters = AskWaiters.start(database, 100, WAITERS_PER_USER);
        vertx = Vertx.vertx();
        Router router = HttpServers.baseRouter(vertx);
        StoreRoutes.mount(
                router,
                BearerAuth.create(secret -> Optional.ofNullable(KEYS.get(secret)), Duration.ofMinutes(1)),
                asks,
                waiters,
                new StoreRoutes.Webhooks(
                        deliveries,
                        new WebhookSecrets(db, Clock.systemUTC()),
                        Duration.ofHours(1),
                        new ResendLimiter(RESENDS_PER_MINUTE, Duration.ofMinutes(1))));
        server = HttpServers.start(vertx, router, new HttpSettings("127.0.0.1", 0));
        client = WebClient.create(vertx);
    }

    @AfterEach
    void stop() {
        vertx.close().await();
        waiters.close();
        dataSource.close();
    }

    private AskRequest queuedAsk(String user) {
        String id = UUID.randomUUID().toString();
        AskRequest request = new AskRequest(
                id, user, "k-" + id, "prompt", null, null, Instant.now().minusSeconds(1), "http://127.0.0.1:9/hook");
        asks.upsert(request, null);
        return request;
    }

    private void complete(AskRequest request) {
        asks.upsert(
                request,
                AskResult.succeeded(request.requestId(), "dryrun", "dry-1", "42", Usage.of(1, 1), 5, 1, Instant.now()));
    }

    private Future<HttpResponse<Buffer>> send(String method, String user, String path) {
        return client.request(io.vertx.core.http.HttpMethod.valueOf(method), server.actualPort(), "127.0.0.1", path)
                .putHeader("Authorization", "Bearer " + key(user))
                .send();
    }

    private static Problem problem(HttpResponse<Buffer> response) throws IOException {
        assertThat(response.getHeader("Content-Type")).isEqualTo("application/problem+json");
        return Json.mapper().readValue(response.bodyAsString(), Problem.class);
    }

    @Test
    void aFloodOfResendsFromOneUserIsRefusedWithRetryAfterAndAnotherUserIsUnaffected() throws Exception {
        AskRequest mallorys = queuedAsk("mallory");
        complete(mallorys);
        AskRequest alices = queuedAsk("alice");
        complete(alices);
        String resend = "/v1/ask/" + mallorys.requestId() + "/webhook/resend";

        List<HttpResponse<Buffer>> answers = new ArrayList<>();
        for (int i = 0; i < 4 * RESENDS_PER_MINUTE; i++) {
            answers.add(send("POST", "mallory", resend).await());
        }

        assertThat(answers.subList(0, RESENDS_PER_MINUTE))
                .allSatisfy(ok -> assertThat(ok.statusCode()).isEqualTo(202));
        assertThat(answers.get(0).getHeader("RateLimit-Policy")).isEqualTo("\"resend\";q=5;w=60");
        assertThat(answers.get(0).getHeader("RateLimit")).isEqualTo("\"resend\";r=4");
        List<HttpResponse<Buffer>> refused = answers.subList(RESENDS_PER_MINUTE, answers.size());
        for (HttpResponse<Buffer> no : refused) {
            assertThat(no.statusCode()).isEqualTo(429);
            Problem problem = problem(no);
            assertThat(problem.type()).isEqualTo("https://askpipe.io/problems/rate-limited");
            assertThat(problem.status()).isEqualTo(429);
            long retryAfter = Long.parseLong(no.getHeader("Retry-After"));
            assertThat(retryAfter).isBetween(1L, 60L);
            assertThat(no.getHeader("RateLimit-Policy")).isEqualTo("\"resend\";q=5;w=60");
            assertThat(no.getHeader("RateLimit")).isEqualTo("\"resend\";r=0;t=" + retryAfter);
        }

        HttpResponse<Buffer> other = send("POST", "alice", "/v1/ask/" + alices.requestId() + "/webhook/resend")
                .await();
        assertThat(other.statusCode()).as("another user's allowance is its own").isEqualTo(202);
        assertThat(deliveries.find(alices.requestId(), "alice"))
                .get()
                .extracting(d -> d.status())
                .isEqualTo("pending");
    }

    /** A {@code GET /v1/ask/{id}?wait=30} on a connection of its own, which the test may drop. */
    private Socket parkedPoll(String user, String requestId) throws IOException {
        Socket socket = new Socket("127.0.0.1", server.actualPort());
        socket.getOutputStream()
                .write(("GET /v1/ask/" + requestId + "?wait=30 HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                                + "Authorization: Bearer " + key(user) + "\r\n\r\n")
                        .getBytes(StandardCharsets.US_ASCII));
        socket.getOutputStream().flush();
        return socket;
    }

    @Test
    void aFloodOfLongPollsFromOneUserIsRefusedBeyondItsShareAndDroppedPollsStopWaiting() throws Exception {
        AskRequest mallorys = queuedAsk("mallory");
        AskRequest alices = queuedAsk("alice");
        // the listener connects in the background; until then a wake-up may be missed
        await().atMost(Duration.ofSeconds(10))
                .pollInterval(Duration.ofMillis(200))
                .until(() -> {
                    HttpResponse<Buffer> probe = send("GET", "alice", "/v1/ask/" + alices.requestId() + "?wait=0")
                            .await();
                    return probe.statusCode() == 200;
                });
        List<Socket> parked = new ArrayList<>();
        for (int i = 0; i < WAITERS_PER_USER; i++) {
            parked.add(parkedPoll("mallory", mallorys.requestId()));
        }
        await().atMost(Duration.ofSeconds(10)).until(() -> waiters.waiting("mallory") == WAITERS_PER_USER);

        for (int i = 0; i < 5; i++) {
            long started = System.nanoTime();
            HttpResponse<Buffer> refused = send("GET", "mallory", "/v1/ask/" + mallorys.requestId() + "?wait=30")
                    .await();
            assertThat(refused.statusCode()).isEqualTo(429);
            assertThat(problem(refused).type()).isEqualTo("https://askpipe.io/problems/rate-limited");
            assertThat(refused.getHeader("Retry-After")).isEqualTo("1");
            assertThat(Duration.ofNanos(System.nanoTime() - started))
                    .as("refused at once, not after the wait")
                    .isLessThan(Duration.ofSeconds(10));
        }

        Future<HttpResponse<Buffer>> alicesPoll = send("GET", "alice", "/v1/ask/" + alices.requestId() + "?wait=30");
        await().atMost(Duration.ofSeconds(10)).until(() -> waiters.waiting("alice") == 1);
        complete(alices);
        HttpResponse<Buffer> answered = alicesPoll.await();
        assertThat(answered.statusCode()).isEqualTo(200);
        assertThat(Json.mapper().readTree(answered.bodyAsString()).get("status").asText())
                .isEqualTo("succeeded");

        for (Socket socket : parked) {
            socket.close(); // the clients hang up
        }
        await("dropped polls stop waiting long before their 30 s")
                .atMost(Duration.ofSeconds(10))
                .until(() -> waiters.waiting() == 0);
        assertThat(waiters.waiting("mallory")).isZero();
        assertThat(waiters.waitingUsers()).isZero();
        assertThat(waiters.refused(AskWaiters.Refused.USER_FULL)).isEqualTo(5);
    }
}
