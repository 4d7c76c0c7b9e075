package io.askpipe.ingest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.askpipe.auth.AuthService;
import io.askpipe.auth.AuthSettings;
import io.askpipe.auth.QuotaOverride;
import io.askpipe.auth.User;
import io.askpipe.common.callback.CallbackPolicy;
import io.askpipe.common.db.DatabaseSettings;
import io.askpipe.common.http.HttpServers;
import io.askpipe.common.http.HttpSettings;
import io.askpipe.common.kafka.KafkaSettings;
import io.askpipe.common.service.OpsSettings;
import io.askpipe.embedded.EmbeddedPostgresServer;
import io.askpipe.embedded.SharedInfrastructure;
import io.askpipe.ingest.api.IngestLimits;
import io.askpipe.ingest.ledger.PostgresAskLedger;
import io.askpipe.ingest.quota.Limits;
import io.askpipe.ingest.quota.QuotaSettings;
import io.askpipe.schemas.AskResult;
import io.askpipe.schemas.Json;
import io.askpipe.schemas.Usage;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServer;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import java.net.InetAddress;
import java.time.Duration;
import java.time.Instant;
import java.time.YearMonth;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.jooq.DSLContext;
import org.jooq.SQLDialect;
import org.jooq.impl.DSL;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Per-user quotas on the real broker and database, with two ingest instances sharing them: the
 * rate, the asks in flight (finished by results published as the router would), the monthly token
 * budget, overrides set as {@code askpipe admin} does, and idempotent retries over a quota.
 */
class QuotaIT {
    private KafkaSettings kafka;
    private DatabaseSettings database;
    private final List<IngestService> services = new ArrayList<>();
    private final List<HttpServer> servers = new ArrayList<>();
    private Vertx vertx;
    private WebClient client;
    private AuthService accounts;
    private KafkaProducer<String, AskResult> results;

    /** Starts two ingest instances on one database and broker, with {@code defaults} as the quotas. */
    private void start(Limits defaults) {
        String name = SharedInfrastructure.uniqueName("quota");
        kafka = KafkaSettings.local(SharedInfrastructure.kafka().bootstrapServers(), name + ".");
        EmbeddedPostgresServer pg = SharedInfrastructure.postgres();
        database = new DatabaseSettings(pg.createDatabase(name), pg.user(), pg.password(), 4);
        IngestConfig config = new IngestConfig(
                        kafka,
                        database,
                        new AuthSettings(Duration.ZERO), // an override shows at once
                        new HttpSettings("127.0.0.1", 0),
                        new OpsSettings("127.0.0.1", 0),
                        IngestLimits.DEFAULTS,
                        new CallbackPolicy(true, List.of(), InetAddress::getAllByName),
                        Duration.ofSeconds(10),
                        Duration.ofMinutes(5),
                        Duration.ofHours(1))
                .withQuotas(new QuotaSettings(defaults, Duration.ofHours(1)));
        vertx = Vertx.vertx();
        for (int i = 0; i < 2; i++) {
            IngestService service = IngestService.start(config, new SimpleMeterRegistry());
            services.add(service);
            Router router = HttpServers.baseRouter(vertx);
            service.mount(router);
            servers.add(HttpServers.start(vertx, router, config.http()));
        }
        accounts = AuthService.start(database, config.auth());
        client = WebClient.create(vertx);
        var topic = kafka.topics().results();
        results = new KafkaProducer<>(
                kafka.acknowledgedProducerProperties("it-router"),
                topic.keySerde().serializer(),
                topic.valueSerde().serializer());
    }

    @AfterEach
    void stop() {
        if (vertx != null) {
            vertx.close().await();
        }
        services.forEach(IngestService::close);
        if (results != null) {
            results.close();
        }
        if (accounts != null) {
            accounts.close();
        }
    }

    private String bearer(String name) {
        User user = accounts.accounts().createUser(name);
        return "Bearer " + accounts.accounts().issueKey(user.id()).secret();
    }

    private Future<HttpResponse<Buffer>> send(int instance, String path, String bearer, String key, String body) {
        return client.post(servers.get(instance % 2).actualPort(), "127.0.0.1", path)
                .putHeader("Authorization", bearer)
                .putHeader("Content-Type", "application/json")
                .putHeader("Idempotency-Key", key)
                .sendBuffer(Buffer.buffer(body));
    }

    private HttpResponse<Buffer> submit(int instance, String bearer, String key) {
        return send(instance, "/v1/ask", bearer, key, "{\"prompt\":\"" + key + "\"}")
                .await();
    }

    private static JsonNode json(HttpResponse<Buffer> response) throws Exception {
        return Json.mapper().readTree(response.bodyAsString());
    }

    private static String requestId(HttpResponse<Buffer> response) throws Exception {
        return json(response).get("request_id").asText();
    }

    /** Publishes the result of {@code requestId} to ask.results, as a router would. */
    private void finish(String requestId, int tokens) throws Exception {
        AskResult result = AskResult.succeeded(
                requestId, "dryrun", "m", "done", Usage.of(tokens / 2, tokens - tokens / 2), 5, 1, Instant.now());
        results.send(new ProducerRecord<>(kafka.topics().results().name(), requestId, result))
                .get();
    }

    private DSLContext ingestSchema() {
        return DSL.using(database.dataSource("it-quota", PostgresAskLedger.SCHEMA, 1), SQLDialect.POSTGRES);
    }

    @Test
    void twoInstancesShareTheRequestsPerMinute() throws Exception {
        start(new Limits(3, 0, 0)); // one ask each 20 s, three at once: the burst ends well within 20 s
        String alice = bearer("alice");
        List<Future<HttpResponse<Buffer>>> pending = new ArrayList<>();
        for (int i = 0; i < 7; i++) {
            pending.add(send(i, "/v1/ask", alice, "rpm-" + i, "{\"prompt\":\"rpm " + i + "\"}"));
        }
        int accepted = 0;
        for (var future : pending) {
            HttpResponse<Buffer> response = future.await();
            assertThat(response.getHeader("RateLimit-Policy")).isEqualTo("\"rpm\";q=3;w=60");
            if (response.statusCode() == 202) {
                accepted++;
                assertThat(response.getHeader("RateLimit")).matches("\"rpm\";r=[0-2];t=\\d+");
                continue;
            }
            assertThat(response.statusCode()).as(response.bodyAsString()).isEqualTo(429);
            assertThat(response.getHeader("Content-Type")).isEqualTo("application/problem+json");
            assertThat(json(response).get("type").asText())
                    .isEqualTo("https://askpipe.io/problems/quota-requests-per-minute");
            long retryAfter = Long.parseLong(response.getHeader("Retry-After"));
            // a third of a minute, and a second more for a submit stamped before it waited its turn
            assertThat(retryAfter).isBetween(1L, 21L);
            assertThat(response.getHeader("RateLimit")).isEqualTo("\"rpm\";r=0;t=" + retryAfter);
        }
        assertThat(accepted).as("exactly the quota, across both instances").isEqualTo(3);
        assertThat(submit(1, alice, "rpm-late").statusCode()).isEqualTo(429);
        assertThat(submit(0, bearer("bob"), "rpm-bob").statusCode())
                .as("another user has a rate of their own")
                .isEqualTo(202);
    }

    @Test
    void anAskInFlightHoldsItsPlaceUntilItsResultComes() throws Exception {
        start(new Limits(0, 1, 0));
        String alice = bearer("alice");
        String carol = bearer("carol");
        String aliceId =
                accounts.accounts().findUserByName("alice").orElseThrow().id();
        // as `askpipe admin set-quota alice --in-flight 2` does: the override wins over the default
        accounts.quotas().set(aliceId, new QuotaOverride(Optional.empty(), Optional.of(2), Optional.empty()));

        var first = submit(0, alice, "fly-1");
        var second = submit(1, alice, "fly-2");
        assertThat(first.statusCode()).isEqualTo(202);
        assertThat(second.statusCode()).isEqualTo(202);
        assertThat(second.getHeader("RateLimit-Policy")).isEqualTo("\"in-flight\";q=2;qu=\"concurrent-requests\"");
        assertThat(second.getHeader("RateLimit")).isEqualTo("\"in-flight\";r=0");
        var third = submit(0, alice, "fly-3");
        assertThat(third.statusCode()).isEqualTo(429);
        assertThat(json(third).get("type").asText()).isEqualTo("https://askpipe.io/problems/quota-in-flight");
        assertThat(third.getHeader("Retry-After")).isEqualTo("1");
        assertThat(submit(1, alice, "fly-3").statusCode()).as("still refused").isEqualTo(429);

        assertThat(submit(0, carol, "carol-1").statusCode()).isEqualTo(202);
        assertThat(submit(1, carol, "carol-2").statusCode())
                .as("carol has the default of one")
                .isEqualTo(429);

        finish(requestId(first), 0);
        await().atMost(Duration.ofSeconds(30))
                .pollInterval(Duration.ofMillis(200))
                .until(() -> submit(1, alice, "fly-3").statusCode() == 202);
        assertThat(submit(0, alice, "fly-4").statusCode())
                .as("two in flight again")
                .isEqualTo(429);
    }

    @Test
    void aSpentMonthlyBudgetRefusesUntilTheNextMonth() throws Exception {
        start(new Limits(0, 0, 100));
        String alice = bearer("alice");
        String bob = bearer("bob");
        var first = submit(0, alice, "tokens-1");
        assertThat(first.statusCode()).isEqualTo(202);
        assertThat(first.getHeader("RateLimit")).startsWith("\"monthly-tokens\";r=100;t=");
        var second = submit(1, alice, "tokens-2");
        assertThat(second.statusCode()).isEqualTo(202);

        finish(requestId(first), 60);
        finish(requestId(second), 60);
        finish(requestId(first), 60); // redelivered: counted once
        String aliceId =
                accounts.accounts().findUserByName("alice").orElseThrow().id();
        DSLContext db = ingestSchema();
        await().atMost(Duration.ofSeconds(30))
                .until(() -> db.fetchOptional("SELECT tokens FROM user_tokens WHERE user_id = ?", aliceId)
                                .map(row -> row.get(0, Long.class))
                                .orElse(0L)
                        == 120L);

        Instant nextMonth = YearMonth.now(ZoneOffset.UTC)
                .plusMonths(1)
                .atDay(1)
                .atStartOfDay()
                .toInstant(ZoneOffset.UTC);
        var refused = submit(0, alice, "tokens-3");
        assertThat(refused.statusCode()).isEqualTo(429);
        assertThat(json(refused).get("type").asText()).isEqualTo("https://askpipe.io/problems/quota-monthly-tokens");
        long retryAfter = Long.parseLong(refused.getHeader("Retry-After"));
        assertThat(retryAfter)
                .isBetween(
                        Duration.between(Instant.now(), nextMonth).toSeconds() - 5,
                        Duration.between(Instant.now(), nextMonth).toSeconds() + 2);
        assertThat(refused.getHeader("RateLimit")).isEqualTo("\"monthly-tokens\";r=0;t=" + retryAfter);

        assertThat(submit(1, bob, "tokens-bob").statusCode())
                .as("another user's budget is their own")
                .isEqualTo(202);
        Thread.sleep(1000); // the redelivered result was tallied with the others, or is now
        assertThat(db.fetchSingle("SELECT tokens FROM user_tokens WHERE user_id = ?", aliceId)
                        .get(0, Long.class))
                .isEqualTo(120L);
    }

    @Test
    void anIdempotentRetryOverTheQuotaReplaysTheFirstAnswer() throws Exception {
        start(new Limits(1, 0, 0));
        String alice = bearer("alice");
        var first = submit(0, alice, "once");
        assertThat(first.statusCode()).isEqualTo(202);
        assertThat(submit(1, alice, "twice").statusCode()).isEqualTo(429);

        var retry = submit(1, alice, "once");
        assertThat(retry.statusCode()).as("replayed, not refused").isEqualTo(202);
        assertThat(retry.bodyAsString()).isEqualTo(first.bodyAsString());
        assertThat(retry.getHeader("Idempotent-Replayed")).isEqualTo("true");
        var again = submit(0, alice, "once");
        assertThat(again.statusCode()).as("and not counted").isEqualTo(202);

        // the drop-in route answers a quota in OpenAI's error shape, with the same fields
        var completion = send(0, "/v1/chat/completions", alice, "drop-in", "{\"prompt\":\"hi\"}")
                .await();
        assertThat(completion.statusCode()).isEqualTo(429);
        assertThat(completion.getHeader("Content-Type")).isEqualTo("application/json");
        assertThat(json(completion).at("/error/code").asText()).isEqualTo("quota_requests_per_minute");
        assertThat(completion.getHeader("Retry-After")).isNotNull();
        assertThat(completion.getHeader("RateLimit-Policy")).isEqualTo("\"rpm\";q=1;w=60");
        assertThat(completion.getHeader("RateLimit")).startsWith("\"rpm\";r=0;t=");
    }
}
