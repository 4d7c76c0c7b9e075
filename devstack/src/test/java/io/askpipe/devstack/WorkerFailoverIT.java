package io.askpipe.devstack;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.askpipe.common.config.Env;
import io.askpipe.common.db.DatabaseSettings;
import io.askpipe.common.kafka.KafkaSettings;
import io.askpipe.embedded.EmbeddedPostgresServer;
import io.askpipe.embedded.SharedInfrastructure;
import io.askpipe.router.RouterConfig;
import io.askpipe.router.RouterService;
import io.askpipe.schemas.Json;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.ext.web.client.WebClient;
import java.net.URI;
import java.sql.DriverManager;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Two router workers share the load; one dies abruptly mid-run. Every accepted ask still reaches
 * exactly one terminal result in the result store.
 */
class WorkerFailoverIT {

    @Test
    void everyAskEndsWithExactlyOneResultInTheStoreWhenAWorkerDies() throws Exception {
        String prefix = SharedInfrastructure.uniqueName("failover") + ".";
        EmbeddedPostgresServer pg = SharedInfrastructure.postgres();
        String jdbcUrl = pg.createDatabase(SharedInfrastructure.uniqueName("failover"));
        String bootstrap = SharedInfrastructure.kafka().bootstrapServers();
        Map<String, String> env = new HashMap<>(Map.of(
                "HTTP_PORT", "0",
                "KAFKA_TOPIC_PREFIX", prefix,
                "KAFKA_TOPIC_PARTITIONS", "4",
                "ROUTER_GROUP_ID", prefix + "router",
                "ROUTER_MAX_IN_FLIGHT", "32",
                "ROUTER_SHUTDOWN_GRACE_MS", "2000",
                "DRYRUN_LATENCY_MS", "100",
                "STORE_APPLICATION_ID", prefix + "store"));
        Vertx vertx = Vertx.vertx();
        try (DevStack stack = DevStack.start(env, bootstrap, jdbcUrl, pg.user(), pg.password())) {
            RouterService second = RouterService.start(
                    RouterConfig.local(
                            KafkaSettings.fromEnv(
                                    Env.of(Map.of("KAFKA_BOOTSTRAP_SERVERS", bootstrap, "KAFKA_TOPIC_PREFIX", prefix))),
                            new DatabaseSettings(jdbcUrl, pg.user(), pg.password(), 4),
                            env),
                    new SimpleMeterRegistry());
            URI base = URI.create(stack.clientUrl());
            String bearer = "Bearer " + stack.issueDevKey().secret();
            WebClient client = WebClient.create(vertx);
            List<String> ids = new ArrayList<>();
            for (int i = 0; i < 300; i++) {
                var response = client.post(base.getPort(), base.getHost(), "/v1/ask")
                        .putHeader("Authorization", bearer)
                        .putHeader("Content-Type", "application/json")
                        .putHeader("Idempotency-Key", "failover-" + i)
                        .sendBuffer(Buffer.buffer("{\"prompt\":\"ask " + i + "\"}"))
                        .await();
                assertThat(response.statusCode()).isEqualTo(202);
                ids.add(Json.mapper()
                        .readTree(response.bodyAsString())
                        .get("request_id")
                        .asText());
            }

            await().atMost(Duration.ofSeconds(30)).until(() -> AskClient.terminalRows(jdbcUrl, pg) >= 60);
            second.halt();

            await().atMost(Duration.ofSeconds(90))
                    .pollInterval(Duration.ofMillis(250))
                    .until(() -> AskClient.terminalRows(jdbcUrl, pg) == ids.size());
            try (var c = DriverManager.getConnection(jdbcUrl, pg.user(), pg.password());
                    var rs = c.createStatement()
                            .executeQuery("SELECT count(*), count(*) FILTER (WHERE status = 'succeeded'),"
                                    + " (SELECT count(*) FROM router.results) FROM store.asks")) {
                rs.next();
                assertThat(rs.getInt(1)).as("one row per accepted ask").isEqualTo(ids.size());
                assertThat(rs.getInt(2)).as("all succeeded").isEqualTo(ids.size());
                assertThat(rs.getInt(3)).as("one kept result per ask").isEqualTo(ids.size());
            }
            for (String id : ids) {
                var view = Json.mapper()
                        .readTree(client.get(base.getPort(), base.getHost(), "/v1/ask/" + id)
                                .putHeader("Authorization", bearer)
                                .send()
                                .await()
                                .bodyAsString());
                assertThat(view.get("status").asText()).as(id).isEqualTo("succeeded");
                assertThat(view.get("result").get("req_id").asText()).isEqualTo(id);
            }
        } finally {
            vertx.close().await();
        }
    }

    @Test
    void aRouterCrashedByChaosModeIsRestartedInPlaceAndEveryAskEndsOnce() throws Exception {
        String prefix = SharedInfrastructure.uniqueName("crashing") + ".";
        EmbeddedPostgresServer pg = SharedInfrastructure.postgres();
        String jdbcUrl = pg.createDatabase(SharedInfrastructure.uniqueName("crashing"));
        Map<String, String> env = new HashMap<>(Map.of(
                "HTTP_PORT",
                "0",
                "KAFKA_TOPIC_PREFIX",
                prefix,
                "KAFKA_TOPIC_PARTITIONS",
                "4",
                // static membership: the restarted router takes its partitions back at once
                "KAFKA_GROUP_INSTANCE_ID",
                "crashing-stack",
                "ROUTER_GROUP_ID",
                prefix + "router",
                "ROUTER_SHUTDOWN_GRACE_MS",
                "2000",
                "STORE_APPLICATION_ID",
                prefix + "store"));
        env.putAll(Map.of("CHAOS_MODE", "1", "CHAOS_SEED", "4", "CHAOS_WORKER_CRASH", "0.2"));
        Vertx vertx = Vertx.vertx();
        try (DevStack stack = DevStack.start(
                env, SharedInfrastructure.kafka().bootstrapServers(), jdbcUrl, pg.user(), pg.password())) {
            URI base = URI.create(stack.clientUrl());
            String bearer = "Bearer " + stack.issueDevKey().secret();
            WebClient client = WebClient.create(vertx);
            List<String> ids = new ArrayList<>();
            for (int i = 0; i < 40; i++) {
                var response = client.post(base.getPort(), base.getHost(), "/v1/ask")
                        .putHeader("Authorization", bearer)
                        .putHeader("Content-Type", "application/json")
                        .putHeader("Idempotency-Key", "crashing-" + i)
                        .sendBuffer(Buffer.buffer("{\"prompt\":\"ask " + i + "\"}"))
                        .await();
                assertThat(response.statusCode()).isEqualTo(202);
                ids.add(Json.mapper()
                        .readTree(response.bodyAsString())
                        .get("request_id")
                        .asText());
            }

            await().atMost(Duration.ofSeconds(120))
                    .pollInterval(Duration.ofMillis(250))
                    .until(() -> AskClient.terminalRows(jdbcUrl, pg) == ids.size());
            try (var c = DriverManager.getConnection(jdbcUrl, pg.user(), pg.password());
                    var rs = c.createStatement()
                            .executeQuery("SELECT count(*), count(*) FILTER (WHERE status = 'succeeded'),"
                                    + " (SELECT count(*) FROM router.results) FROM store.asks")) {
                rs.next();
                assertThat(rs.getInt(1)).as("one row per accepted ask").isEqualTo(ids.size());
                assertThat(rs.getInt(2)).as("all succeeded").isEqualTo(ids.size());
                assertThat(rs.getInt(3)).as("one kept result per ask").isEqualTo(ids.size());
            }
            URI ops = URI.create(stack.opsUrl());
            String metrics = client.get(ops.getPort(), ops.getHost(), "/metrics")
                    .send()
                    .await()
                    .bodyAsString();
            assertThat(metrics.lines()
                            .filter(line ->
                                    line.startsWith("chaos_events_total{") && line.contains("fault=\"worker_crash\""))
                            .mapToDouble(line -> Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1)))
                            .sum())
                    .as("the router crashed")
                    .isGreaterThan(0);
            await().atMost(Duration.ofSeconds(30))
                    .alias("ready again: readiness follows the restarted router")
                    .until(() -> client.get(ops.getPort(), ops.getHost(), "/readyz")
                                    .send()
                                    .await()
                                    .statusCode()
                            == 200);
        } finally {
            vertx.close().await();
        }
    }
}
