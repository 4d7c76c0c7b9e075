package io.askpipe.auth;

import static org.assertj.core.api.Assertions.assertThat;

import io.askpipe.common.http.HttpServers;
import io.askpipe.common.http.HttpSettings;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServer;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.handler.BodyHandler;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import org.jooq.exception.DataAccessException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class BearerAuthTest {
    private static final Instant T = Instant.parse("2026-11-26T12:00:00Z");
    private static final User ALICE = new User("u-alice", "alice", T, null);
    private static final User MALLORY = new User("u-mallory", "mallory", T, T);
    private static final String ALICE_KEY = key("alice");
    private static final String REVOKED_KEY = key("revoked");
    private static final String MALLORY_KEY = key("mallory");
    private static final String UNKNOWN_KEY = key("unknown");
    private static final Map<String, Credential> KEYS = Map.of(
            ALICE_KEY, new Credential(new ApiKey("k-1", ALICE.id(), "f-1", "ak_aliceAAA", T, null), ALICE),
            REVOKED_KEY, new Credential(new ApiKey("k-2", ALICE.id(), "f-2", "ak_revokedA", T, T), ALICE),
            MALLORY_KEY, new Credential(new ApiKey("k-3", MALLORY.id(), "f-3", "ak_malloryA", T, null), MALLORY));

    /** A key of the issued form ({@code ak_} and 43 base64url characters) that starts with {@code name}. */
    private static String key(String name) {
        return "ak_" + (name + "A".repeat(43)).substring(0, 43);
    }

    private static final Duration LOOKUP_TIMEOUT = Duration.ofMillis(500);

    private final AtomicInteger lookups = new AtomicInteger();
    /** Lookups by secret. */
    private final Map<String, AtomicInteger> lookupsOf = new java.util.concurrent.ConcurrentHashMap<>();

    private volatile boolean databaseDown;
    /** While set, a lookup hangs until released, as on a database that stopped answering. */
    private volatile java.util.concurrent.CountDownLatch stalled;

    private Vertx vertx;
    private HttpServer server;
    private WebClient client;

    private void start(Duration cacheTtl) {
        start(cacheTtl, BearerAuth.KNOWN_KEYS, BearerAuth.UNKNOWN_KEYS);
    }

    private void start(Duration cacheTtl, int knownKeys, int unknownKeys) {
        vertx = Vertx.vertx();
        BearerAuth auth = new BearerAuth(
                secret -> {
                    lookups.incrementAndGet();
                    lookupsOf.computeIfAbsent(secret, k -> new AtomicInteger()).incrementAndGet();
                    if (databaseDown) {
                        throw new DataAccessException("connection refused");
                    }
                    var stall = stalled;
                    if (stall != null) {
                        try {
                            stall.await();
                        } catch (InterruptedException e) {
                            Thread.currentThread().interrupt();
                        }
                    }
                    return Optional.ofNullable(KEYS.get(secret));
                },
                cacheTtl,
                LOOKUP_TIMEOUT,
                knownKeys,
                unknownKeys);
        Router router = HttpServers.baseRouter(vertx);
        router.get("/whoami")
                .handler(auth)
                .handler(ctx -> ctx.end(BearerAuth.caller(ctx).toString()));
        router.post("/echo")
                .handler(BodyHandler.create(false))
                .handler(auth)
                .handler(ctx -> ctx.end(ctx.body().asString()));
        server = HttpServers.start(vertx, router, new HttpSettings("127.0.0.1", 0));
        client = WebClient.create(vertx);
    }

    @AfterEach
    void stop() {
        if (vertx != null) {
            vertx.close().await();
        }
    }

    private HttpResponse<Buffer> get(String authorization) {
        var request = client.get(server.actualPort(), "127.0.0.1", "/whoami").timeout(10_000);
        if (authorization != null) {
            request.putHeader("Authorization", authorization);
        }
        return request.send().await();
    }

    @Test
    void admitsALiveKeyAndNamesTheCaller() {
        start(Duration.ofMinutes(1));
        HttpResponse<Buffer> response = get("Bearer " + ALICE_KEY);
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.bodyAsString()).isEqualTo(new Caller("u-alice", "k-1").toString());
        assertThat(get("bearer   " + ALICE_KEY + " ").statusCode())
                .as("scheme is case-insensitive")
                .isEqualTo(200);
    }

    @Test
    void refusesMissingUnknownAndRevokedKeysWithAChallenge() {
        start(Duration.ofMinutes(1));
        for (String authorization : new String[] {null, "Basic YWxpY2U6cHc=", ALICE_KEY, "Bearer"}) {
            HttpResponse<Buffer> response = get(authorization);
            assertThat(response.statusCode()).as(authorization).isEqualTo(401);
            assertThat(response.getHeader("Content-Type")).isEqualTo("application/problem+json");
            assertThat(response.bodyAsJsonObject().getString("type"))
                    .isEqualTo("https://askpipe.io/problems/unauthorized");
            assertThat(response.getHeader("WWW-Authenticate")).startsWith("Bearer realm=\"askpipe\"");
        }
        assertThat(get(null).getHeader("WWW-Authenticate")).isEqualTo("Bearer realm=\"askpipe\"");
        for (String secret : new String[] {UNKNOWN_KEY, REVOKED_KEY, "Bearer " + ALICE_KEY}) {
            HttpResponse<Buffer> response = get("Bearer " + secret);
            assertThat(response.statusCode()).as(secret).isEqualTo(401);
            assertThat(response.getHeader("WWW-Authenticate"))
                    .isEqualTo("Bearer realm=\"askpipe\", error=\"invalid_token\"");
        }
        assertThat(get("Bearer " + REVOKED_KEY).bodyAsJsonObject().getString("detail"))
                .contains("revoked");
    }

    @Test
    void refusesADisabledUserWith403() {
        start(Duration.ofMinutes(1));
        HttpResponse<Buffer> response = get("Bearer " + MALLORY_KEY);
        assertThat(response.statusCode()).isEqualTo(403);
        assertThat(response.bodyAsJsonObject().getString("type")).isEqualTo("https://askpipe.io/problems/forbidden");
    }

    @Test
    void remembersWhatAKeyResolvedToForTheCacheTtl() {
        start(Duration.ofMinutes(1));
        get("Bearer " + ALICE_KEY);
        get("Bearer " + ALICE_KEY);
        get("Bearer " + UNKNOWN_KEY);
        get("Bearer " + UNKNOWN_KEY);
        assertThat(lookups).hasValue(2);
    }

    @Test
    void refusesAValueNotOfTheIssuedFormBeforeAnyLookup() {
        start(Duration.ofMinutes(1));
        String body = ALICE_KEY.substring(3);
        for (String secret : new String[] {
            "sk_" + body, // another prefix
            "AK_" + body,
            "ak" + body + "A",
            ALICE_KEY.substring(0, 45), // too short
            ALICE_KEY + "A", // too long
            ALICE_KEY + "!", // a live key and a junk character
            ALICE_KEY.substring(0, 45) + "=", // padding
            "ak_+/" + ALICE_KEY.substring(5), // plain base64, not base64url
            ALICE_KEY.substring(0, 45) + ".",
            ALICE_KEY.substring(0, 20) + " " + ALICE_KEY.substring(21), // a space inside
            ALICE_KEY + " " + ALICE_KEY,
            ALICE_KEY.substring(0, 45) + "B", // no 32 bytes end in this character
            ALICE_KEY.substring(0, 45) + "\u00e9",
            "ak_guessed",
            "x".repeat(4000)
        }) {
            HttpResponse<Buffer> response = get("Bearer " + secret);
            assertThat(response.statusCode()).as(secret).isEqualTo(401);
            assertThat(response.getHeader("Content-Type")).isEqualTo("application/problem+json");
            assertThat(response.bodyAsJsonObject().getString("type"))
                    .isEqualTo("https://askpipe.io/problems/unauthorized");
            assertThat(response.bodyAsJsonObject().getString("detail")).isEqualTo("The API key is not valid");
            assertThat(response.getHeader("WWW-Authenticate"))
                    .isEqualTo("Bearer realm=\"askpipe\", error=\"invalid_token\"");
        }
        assertThat(lookups).as("no malformed value was looked up").hasValue(0);
        assertThat(get("Bearer " + ALICE_KEY).statusCode()).isEqualTo(200);
        assertThat(lookups).hasValue(1);
    }

    @Test
    void everySecretOfTheIssuedFormIsWellFormed() {
        var random = new java.util.SplittableRandom(7);
        for (int i = 0; i < 10_000; i++) {
            byte[] bytes = new byte[32];
            random.nextBytes(bytes);
            String secret =
                    "ak_" + java.util.Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
            assertThat(Accounts.wellFormed(secret)).as(secret).isTrue();
        }
    }

    @Test
    void aFloodOfUnknownKeysDoesNotPushARealKeyOutOfTheCache() {
        start(Duration.ofMinutes(1), 16, 16);
        assertThat(get("Bearer " + ALICE_KEY).statusCode()).isEqualTo(200);
        for (int i = 0; i < 300; i++) {
            String guess = "ak_" + String.format("%042d", i) + "A";
            for (int again = 0; again < 3; again++) {
                assertThat(get("Bearer " + guess).statusCode()).isEqualTo(401);
            }
        }
        assertThat(get("Bearer " + ALICE_KEY).statusCode()).isEqualTo(200);
        assertThat(lookupsOf.get(ALICE_KEY)).as("the real key is still cached").hasValue(1);
        assertThat(lookupsOf).hasSize(301);
    }

    @Test
    void withoutACacheLooksUpEveryRequest() {
        start(Duration.ZERO);
        get("Bearer " + ALICE_KEY);
        get("Bearer " + ALICE_KEY);
        assertThat(lookups).hasValue(2);
    }

    @Test
    void answers503WhenTheAccountsDatabaseIsDown() {
        start(Duration.ZERO);
        databaseDown = true;
        HttpResponse<Buffer> response = get("Bearer " + ALICE_KEY);
        assertThat(response.statusCode()).isEqualTo(503);
        assertThat(response.getHeader("Retry-After")).isEqualTo("2");
        assertThat(response.bodyAsJsonObject().getString("type"))
                .isEqualTo("https://askpipe.io/problems/service-unavailable");
        databaseDown = false;
        assertThat(get("Bearer " + ALICE_KEY).statusCode()).isEqualTo(200);
    }

    @Test
    void answers503WithinTheLookupTimeoutWhenTheAccountsDatabaseDoesNotAnswer() {
        start(Duration.ZERO);
        stalled = new java.util.concurrent.CountDownLatch(1);
        try {
            long started = System.nanoTime();
            HttpResponse<Buffer> response = get("Bearer " + ALICE_KEY);
            Duration took = Duration.ofNanos(System.nanoTime() - started);
            assertThat(response.statusCode()).isEqualTo(503);
            assertThat(response.getHeader("Retry-After")).isEqualTo("2");
            assertThat(took).isGreaterThanOrEqualTo(LOOKUP_TIMEOUT).isLessThan(LOOKUP_TIMEOUT.plusSeconds(5));
        } finally {
            stalled.countDown();
            stalled = null;
        }
        assertThat(get("Bearer " + ALICE_KEY).statusCode()).isEqualTo(200);
    }

    @Test
    void aBodyReachesTheRouteAfterAnAsynchronousLookup() {
        start(Duration.ZERO);
        String body = "x".repeat(200_000);
        HttpResponse<Buffer> response = client.post(server.actualPort(), "127.0.0.1", "/echo")
                .putHeader("Authorization", "Bearer " + ALICE_KEY)
                .sendBuffer(Buffer.buffer(body))
                .await();
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.bodyAsString()).isEqualTo(body);
    }
}
