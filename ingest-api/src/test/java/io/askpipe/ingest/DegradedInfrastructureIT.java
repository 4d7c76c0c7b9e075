package io.askpipe.ingest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.askpipe.auth.AuthService;
import io.askpipe.auth.AuthSettings;
import io.askpipe.common.callback.CallbackPolicy;
import io.askpipe.common.db.DatabaseSettings;
import io.askpipe.common.http.HttpServers;
import io.askpipe.common.http.HttpSettings;
import io.askpipe.common.kafka.KafkaSettings;
import io.askpipe.common.service.Metrics;
import io.askpipe.common.service.OpsRouter;
import io.askpipe.common.service.OpsSettings;
import io.askpipe.embedded.EmbeddedKafka;
import io.askpipe.embedded.EmbeddedPostgresServer;
import io.askpipe.embedded.FreePorts;
import io.askpipe.ingest.api.IngestLimits;
import io.askpipe.schemas.Json;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServer;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Kafka or PostgreSQL going away under a running ingest API: the client gets a 503 problem with
 * Retry-After within a bounded time, never a hang or a 500, and the API recovers by itself when
 * they come back. Uses a broker and a database of its own, since it stops them.
 */
class DegradedInfrastructureIT {
    private static final Duration PUBLISH_TIMEOUT = Duration.ofSeconds(2);
    private final AtomicInteger keys = new AtomicInteger();
    private Path dir;
    private int kafkaPort;
    private int postgresPort;
    private EmbeddedKafka kafka;
    private EmbeddedPostgresServer postgres;
    private IngestService service;
    private Vertx vertx;
    private HttpServer server;
    private HttpServer opsServer;
    private WebClient client;
    private String bearer;

    @BeforeEach
    void start() throws Exception {
        dir = Files.createTempDirectory("askpipe-degraded-");
        kafkaPort = FreePorts.next();
        postgresPort = FreePorts.next();
        kafka = EmbeddedKafka.persistent(dir.resolve("kafka"), kafkaPort).start();
        postgres = EmbeddedPostgresServer.persistent(dir.resolve("postgres"), postgresPort);
        DatabaseSettings database =
                new DatabaseSettings(postgres.createDatabase("degraded"), postgres.user(), postgres.password(), 4);
        IngestConfig config = new IngestConfig(
                KafkaSettings.local(kafka.bootstrapServers(), ""),
                database,
                new AuthSettings(Duration.ofMinutes(1)), // the key stays known while the database is down
                new HttpSettings("127.0.0.1", 0),
                new OpsSettings("127.0.0.1", 0),
                IngestLimits.DEFAULTS,
                new CallbackPolicy(true, List.of(), InetAddress::getAllByName),
                PUBLISH_TIMEOUT,
                Duration.ofMinutes(5),
                Duration.ofHours(1));
        service = IngestService.start(config, new SimpleMeterRegistry());
        try (AuthService auth = AuthService.start(database, config.auth())) {
            var accounts = auth.accounts();
            bearer = "Bearer "
                    + accounts.issueKey(accounts.createUser("degraded").id()).secret();
        }
        vertx = Vertx.vertx();
        var router = HttpServers.baseRouter(vertx);
        service.mount(router);
        server = HttpServers.start(vertx, router, config.http());
        opsServer = HttpServers.start(
                vertx,
                OpsRouter.create(vertx, Metrics.prometheus("test"), service.readiness()),
                config.ops().http());
        client = WebClient.create(vertx);
    }

    @AfterEach
    void stop() {
        vertx.close().await();
        service.close();
        if (postgres != null) {
            postgres.close();
        }
        kafka.close();
        io.askpipe.embedded.Directories.deleteRecursively(dir);
    }

    private HttpResponse<Buffer> submit() {
        return client.post(server.actualPort(), "127.0.0.1", "/v1/ask")
                .putHeader("Authorization", bearer)
                .putHeader("Content-Type", "application/json")
                .putHeader("Idempotency-Key", "degraded-" + keys.incrementAndGet())
                .sendBuffer(Buffer.buffer("{\"prompt\":\"are you there?\"}"))
                .await();
    }

    private static void assertUnavailable(HttpResponse<Buffer> response, long tookMs, long boundMs) throws Exception {
        assertThat(response.statusCode()).isEqualTo(503);
        assertThat(response.getHeader("Content-Type")).isEqualTo("application/problem+json");
        assertThat(response.getHeader("Retry-After")).isNotBlank();
        assertThat(Json.mapper().readTree(response.bodyAsString()).get("type").asText())
                .isEqualTo("https://askpipe.io/problems/service-unavailable");
        assertThat(tookMs).as("answered within the bound, not hung").isLessThan(boundMs);
    }

    @Test
    void postgresDownIsA503WithinSecondsAndRecovers() throws Exception {
        assertThat(submit().statusCode()).isEqualTo(202);
        postgres.close();
        postgres = null;

        long started = System.nanoTime();
        HttpResponse<Buffer> response = submit();
        assertUnavailable(response, (System.nanoTime() - started) / 1_000_000, 15_000);
        assertNotReady("database");

        postgres = EmbeddedPostgresServer.persistent(dir.resolve("postgres"), postgresPort);
        await().atMost(Duration.ofSeconds(30))
                .pollInterval(Duration.ofMillis(500))
                .until(() -> submit().statusCode() == 202);
        assertThat(readyz().statusCode()).isEqualTo(200);
    }

    @Test
    void kafkaDownIsA503WithinThePublishTimeoutAndRecovers() throws Exception {
        assertThat(submit().statusCode()).isEqualTo(202);
        kafka.close();

        long started = System.nanoTime();
        HttpResponse<Buffer> response = submit();
        assertUnavailable(response, (System.nanoTime() - started) / 1_000_000, PUBLISH_TIMEOUT.toMillis() + 5_000);
        assertNotReady("kafka");

        kafka = EmbeddedKafka.persistent(dir.resolve("kafka"), kafkaPort).start();
        await().atMost(Duration.ofSeconds(60))
                .pollInterval(Duration.ofMillis(500))
                .until(() -> submit().statusCode() == 202);
        assertThat(readyz().statusCode()).isEqualTo(200);
    }

    private HttpResponse<Buffer> readyz() {
        return client.get(opsServer.actualPort(), "127.0.0.1", "/readyz").send().await();
    }

    /** {@code /readyz} answers 503 within seconds and names {@code component} as down. */
    private void assertNotReady(String component) throws Exception {
        long started = System.nanoTime();
        HttpResponse<Buffer> response = readyz();
        assertThat((System.nanoTime() - started) / 1_000_000)
                .as("answered, not hung")
                .isLessThan(10_000);
        assertThat(response.statusCode()).isEqualTo(503);
        assertThat(Json.mapper().readTree(response.bodyAsString()).get("detail").asText())
                .isEqualTo("Not ready: " + component);
    }
}
