package io.askpipe.auth;

import static org.assertj.core.api.Assertions.assertThat;

import io.askpipe.common.HttpServers;
import io.askpipe.common.HttpSettings;
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
    private static final Map<String, Credential> KEYS = Map.of(
            "ak_alice", new Credential(new ApiKey("k-1", ALICE.id(), "f-1", "ak_alice", T, null), ALICE),
            "ak_revoked", new Credential(new ApiKey("k-2", ALICE.id(), "f-2", "ak_revoke", T, T), ALICE),
            "ak_mallory", new Credential(new ApiKey("k-3", MALLORY.id(), "f-3", "ak_mallor", T, null), MALLORY));

    private final AtomicInteger lookups = new AtomicInteger();
    private volatile boolean databaseDown;
    private Vertx vertx;
    private HttpServer server;
    private WebClient client;

    private void start(Duration cacheTtl) {
        vertx = Vertx.vertx();
        BearerAuth auth = BearerAuth.create(
                secret -> {
                    lookups.incrementAndGet();
                    if (databaseDown) {
                        throw new DataAccessException("connection refused");
                    }
                    return Optional.ofNullable(KEYS.get(secret));
                },
                cacheTtl);
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
        vertx.close().await();
    }

    private HttpResponse<Buffer> get(String authorization) {
        var request = client.get(server.actualPort(), "127.0.0.1", "/whoami");
        if (authorization != null) {
            request.putHeader("Authorization", authorization);
        }
        return request.send().await();
    }

    @Test
    void admitsALiveKeyAndNamesTheCaller() {
        start(Duration.ofMinutes(1));
        HttpResponse<Buffer> response = get("Bearer ak_alice");
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.bodyAsString()).isEqualTo(new Caller("u-alice", "k-1").toString());
        assertThat(get("bearer   ak_alice ").statusCode())
                .as("scheme is case-insensitive")
                .isEqualTo(200);
    }

    @Test
    void refusesMissingUnknownAndRevokedKeysWithAChallenge() {
        start(Duration.ofMinutes(1));
        for (String authorization : new String[] {null, "Basic YWxpY2U6cHc=", "ak_alice", "Bearer"}) {
            HttpResponse<Buffer> response = get(authorization);
            assertThat(response.statusCode()).as(authorization).isEqualTo(401);
            assertThat(response.getHeader("Content-Type")).isEqualTo("application/problem+json");
            assertThat(response.bodyAsJsonObject().getString("type"))
                    .isEqualTo("https://askpipe.io/problems/unauthorized");
            assertThat(response.getHeader("WWW-Authenticate")).startsWith("Bearer realm=\"askpipe\"");
        }
        assertThat(get(null).getHeader("WWW-Authenticate")).isEqualTo("Bearer realm=\"askpipe\"");
        for (String secret : new String[] {"ak_unknown", "ak_revoked", "Bearer ak_alice"}) {
            HttpResponse<Buffer> response = get("Bearer " + secret);
            assertThat(response.statusCode()).as(secret).isEqualTo(401);
            assertThat(response.getHeader("WWW-Authenticate"))
                    .isEqualTo("Bearer realm=\"askpipe\", error=\"invalid_token\"");
        }
        assertThat(get("Bearer ak_revoked").bodyAsJsonObject().getString("detail"))
                .contains("revoked");
    }

    @Test
    void refusesADisabledUserWith403() {
        start(Duration.ofMinutes(1));
        HttpResponse<Buffer> response = get("Bearer ak_mallory");
        assertThat(response.statusCode()).isEqualTo(403);
        assertThat(response.bodyAsJsonObject().getString("type")).isEqualTo("https://askpipe.io/problems/forbidden");
    }

    @Test
    void remembersWhatAKeyResolvedToForTheCacheTtl() {
        start(Duration.ofMinutes(1));
        get("Bearer ak_alice");
        get("Bearer ak_alice");
        get("Bearer ak_unknown");
        get("Bearer ak_unknown");
        assertThat(lookups).hasValue(2);
    }

    @Test
    void withoutACacheLooksUpEveryRequest() {
        start(Duration.ZERO);
        get("Bearer ak_alice");
        get("Bearer ak_alice");
        assertThat(lookups).hasValue(2);
    }

    @Test
    void answers503WhenTheAccountsDatabaseIsDown() {
        start(Duration.ZERO);
        databaseDown = true;
        HttpResponse<Buffer> response = get("Bearer ak_alice");
        assertThat(response.statusCode()).isEqualTo(503);
        assertThat(response.getHeader("Retry-After")).isEqualTo("2");
        assertThat(response.bodyAsJsonObject().getString("type"))
                .isEqualTo("https://askpipe.io/problems/service-unavailable");
        databaseDown = false;
        assertThat(get("Bearer ak_alice").statusCode()).isEqualTo(200);
    }

    @Test
    void aBodyReachesTheRouteAfterAnAsynchronousLookup() {
        start(Duration.ZERO);
        String body = "x".repeat(200_000);
        HttpResponse<Buffer> response = client.post(server.actualPort(), "127.0.0.1", "/echo")
                .putHeader("Authorization", "Bearer ak_alice")
                .sendBuffer(Buffer.buffer(body))
                .await();
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.bodyAsString()).isEqualTo(body);
    }
}
