package io.askpipe.store.webhook;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.standardwebhooks.Webhook;
import com.standardwebhooks.exceptions.WebhookVerificationException;
import com.zaxxer.hikari.HikariDataSource;
import io.askpipe.common.callback.CallbackPolicy;
import io.askpipe.common.callback.Network;
import io.askpipe.common.chaos.Chaos;
import io.askpipe.common.config.Env;
import io.askpipe.common.db.DatabaseSettings;
import io.askpipe.common.db.FlywayMigrations;
import io.askpipe.common.fault.FaultInjector;
import io.askpipe.embedded.EmbeddedPostgresServer;
import io.askpipe.embedded.SharedInfrastructure;
import io.askpipe.schemas.AskError;
import io.askpipe.schemas.AskRequest;
import io.askpipe.schemas.AskResult;
import io.askpipe.schemas.Json;
import io.askpipe.schemas.Usage;
import io.askpipe.store.sink.AskRepository;
import io.askpipe.store.sink.AskRepositoryIT;
import io.askpipe.store.sink.StoreSchema;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerRequest;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.jooq.SQLDialect;
import org.jooq.impl.DSL;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The webhook outbox and dispatcher against a real PostgreSQL and a real HTTP receiver on
 * loopback (allow-listed here, as an operator would allow an internal network).
 */
class WebhookDispatcherIT {
    private static final Duration FAST = Duration.ofMillis(50);
    private static final CallbackPolicy LOOPBACK_ALLOWED =
            new CallbackPolicy(true, List.of(Network.parse("127.0.0.0/8")), InetAddress::getAllByName);

    /** What the receiver saw: one entry per request. */
    record Received(Map<String, List<String>> headers, String body) {
        String header(String name) {
            return headers.get(name).getFirst();
        }
    }

    private HikariDataSource dataSource;
    private AskRepository asks;
    private WebhookDeliveries deliveries;
    private WebhookSecrets secrets;
    private Vertx vertx;
    private HttpServer receiver;
    private final ConcurrentLinkedQueue<Received> received = new ConcurrentLinkedQueue<>();
    /** How the receiver answers the n-th request (from 0); 204 by default. */
    private volatile Function<Integer, Integer> statusFor = n -> 204;
    /** Every answer waits for this (completed: none waits), so that a test can look between an attempt's start and its end. */
    private volatile CompletableFuture<Void> answersHeld = CompletableFuture.completedFuture(null);

    private final AtomicInteger requests = new AtomicInteger();
    private final List<WebhookDispatcher> dispatchers = new ArrayList<>();
    private SimpleMeterRegistry meters = new SimpleMeterRegistry();
    private FaultInjector chaos = FaultInjector.NONE;

    @BeforeEach
    void start() {
        EmbeddedPostgresServer pg = SharedInfrastructure.postgres();
        String url = pg.createDatabase(SharedInfrastructure.uniqueName("hooks"));
        dataSource = new DatabaseSettings(url, pg.user(), pg.password(), 8).dataSource("test", StoreSchema.SCHEMA);
        FlywayMigrations.migrate(dataSource, StoreSchema.SCHEMA);
        var db = DSL.using(dataSource, SQLDialect.POSTGRES);
        asks = new AskRepository(db, Clock.systemUTC(), AskRepositoryIT.KEEP_ALL);
        deliveries = new WebhookDeliveries(db, Clock.systemUTC());
        secrets = new WebhookSecrets(db, Clock.systemUTC());
        vertx = Vertx.vertx();
        receiver = vertx.createHttpServer()
                .requestHandler(this::receive)
                .listen(0, "127.0.0.1")
                .await();
    }

    private void receive(HttpServerRequest request) {
        int n = requests.getAndIncrement();
        int status = statusFor.apply(n);
        CompletableFuture<Void> held = answersHeld;
        request.body().onSuccess(body -> {
            Map<String, List<String>> headers = new java.util.HashMap<>();
            request.headers()
                    .forEach(e -> headers.computeIfAbsent(e.getKey().toLowerCase(), k -> new ArrayList<>())
                            .add(e.getValue()));
            received.add(new Received(headers, body.toString()));
            if (status == 0) {
                return; // never answer
            }
            var response = request.response().setStatusCode(status);
            if (status == 429) {
                response.putHeader("Retry-After", "2");
            }
            if (status == 302) {
                response.putHeader("Location", "http://127.0.0.2:9/internal");
            }
            if (held.isDone()) {
                response.end();
            } else {
                var context = io.vertx.core.Vertx.currentContext();
                held.thenRun(() -> context.runOnContext(v -> response.end()));
            }
        });
    }

    @AfterEach
    void stop() {
        dispatchers.forEach(WebhookDispatcher::close);
        vertx.close().await();
        dataSource.close();
    }

    private WebhookDispatcher dispatcher(List<Duration> schedule, Duration timeout, CallbackPolicy policy) {
        return dispatcher(schedule, timeout, policy, 8, 8, 8);
    }

    private WebhookDispatcher dispatcher(
            List<Duration> schedule,
            Duration timeout,
            CallbackPolicy policy,
            int concurrency,
            int maxPerUser,
            int maxPerHost) {
        WebhookSettings settings = new WebhookSettings(
                policy,
                schedule,
                0,
                timeout,
                concurrency,
                maxPerUser,
                maxPerHost,
                Duration.ofMillis(100),
                Duration.ofHours(1),
                30,
                Duration.ofMinutes(1));
        WebhookDispatcher dispatcher = WebhookDispatcher.start(
                deliveries, secrets, settings, Clock.systemUTC(), new SplittableRandom(7), meters, chaos);
        dispatchers.add(dispatcher);
        return dispatcher;
    }

    private WebhookDispatcher dispatcher(List<Duration> schedule) {
        return dispatcher(schedule, Duration.ofSeconds(5), LOOPBACK_ALLOWED);
    }

    private String callback() {
        return "http://127.0.0.1:" + receiver.actualPort() + "/hooks/askpipe?tenant=7";
    }

    /** Records a queued ask with a callback, then its result: the outbox gets one delivery. */
    private String terminalAsk(String user, boolean succeeded) {
        return terminalAsk(user, succeeded, callback());
    }

    private String terminalAsk(String user, boolean succeeded, String callback) {
        String id = UUID.randomUUID().toString();
        Instant t0 = Instant.now().minusSeconds(1);
        AskRequest request = new AskRequest(id, user, "k-" + id, "prompt", null, null, t0, callback);
        asks.upsert(request, null);
        AskResult result = succeeded
                ? AskResult.succeeded(id, "dryrun", "dry-1", "42", Usage.of(3, 4), 12, 1, Instant.now())
                : AskResult.failed(
                        id,
                        "openai",
                        "gpt-x",
                        // a type this version does not know: delivered as it came
                        new AskError(new AskError.UnknownType("backend_timeout", 504), "took too long"),
                        30_000,
                        3,
                        Instant.now());
        asks.upsert(request, result);
        return id;
    }

    private WebhookDeliveries.DeliveryView delivery(String id, String user) {
        return deliveries.find(id, user).orElseThrow();
    }

    @Test
    void underInjectedConnectionFailuresEveryWebhookArrivesOnceAfterRetries() throws Exception {
        chaos = Chaos.fromEnv(
                Env.of(Map.of("CHAOS_MODE", "1", "CHAOS_SEED", "3", "CHAOS_WEBHOOK_FAILURE", "0.5")), meters);
        int total = 30;
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < total; i++) {
            ids.add(terminalAsk("alice", i % 2 == 0));
        }
        // twenty quick retries: at p=0.5 a delivery dies only if 21 attempts in a row are struck
        dispatcher(java.util.Collections.nCopies(20, FAST));

        await().atMost(Duration.ofSeconds(60))
                .pollInterval(Duration.ofMillis(200))
                .until(() -> ids.stream()
                        .allMatch(id -> delivery(id, "alice").status().equals("succeeded")));
        Map<String, Long> byWebhookId = received.stream()
                .collect(Collectors.groupingBy(hook -> hook.header("webhook-id"), Collectors.counting()));
        assertThat(byWebhookId.keySet())
                .as("the same webhook ids as without chaos")
                .containsExactlyInAnyOrderElementsOf(
                        ids.stream().map(id -> "msg_" + id).toList());
        assertThat(byWebhookId)
                .as("each delivered once")
                .allSatisfy((id, n) -> assertThat(n).isEqualTo(1));

        List<WebhookDeliveries.DeliveryView> views =
                ids.stream().map(id -> delivery(id, "alice")).toList();
        assertThat(views)
                .as("some needed more than one attempt")
                .anySatisfy(v -> assertThat(v.attempts()).hasSizeGreaterThan(1));
        long failed = 0;
        for (WebhookDeliveries.DeliveryView view : views) {
            List<WebhookDeliveries.Attempt> attempts = view.attempts();
            assertThat(attempts.getLast().statusCode()).isEqualTo(204);
            for (WebhookDeliveries.Attempt attempt : attempts.subList(0, attempts.size() - 1)) {
                assertThat(attempt.statusCode()).isNull();
                assertThat(attempt.error()).contains("injected by chaos mode");
                failed++;
            }
        }
        assertThat(meters.get("chaos_events")
                        .tag("fault", "webhook_failure")
                        .counter()
                        .count())
                .as("one injected failure per failed attempt")
                .isEqualTo(failed)
                .isGreaterThan(0);
    }

    @Test
    void deliversASignedEventThatAStandardWebhooksLibraryVerifies() throws Exception {
        String id = terminalAsk("alice", true);
        dispatcher(WebhookSettings.DEFAULT_SCHEDULE);

        await().atMost(Duration.ofSeconds(10))
                .until(() -> delivery(id, "alice").status().equals("succeeded"));
        assertThat(received).hasSize(1);
        Received hook = received.peek();
        assertThat(hook.header("webhook-id")).isEqualTo("msg_" + id);
        assertThat(hook.header("content-type")).isEqualTo("application/json");
        assertThat(Long.parseLong(hook.header("webhook-timestamp")))
                .isCloseTo(Instant.now().getEpochSecond(), org.assertj.core.data.Offset.offset(30L));
        String secret = secrets.current("alice").secret();
        assertThat(secret).startsWith("whsec_");
        new Webhook(secret).verify(hook.body(), hook.headers()); // throws unless the signature is right

        JsonNode event = Json.mapper().readTree(hook.body());
        assertThat(event.get("type").asText()).isEqualTo("ask.succeeded");
        assertThat(event.get("data").get("request_id").asText()).isEqualTo(id);
        assertThat(event.get("data").get("status").asText()).isEqualTo("succeeded");
        assertThat(event.get("data").get("result").get("answer").asText()).isEqualTo("42");
        assertThat(event.get("data").get("result").get("req_id").asText()).isEqualTo(id);

        WebhookDeliveries.DeliveryView view = delivery(id, "alice");
        assertThat(view.attempts()).singleElement().satisfies(a -> {
            assertThat(a.attempt()).isEqualTo(1);
            assertThat(a.statusCode()).isEqualTo(204);
            assertThat(a.error()).isNull();
        });
        assertThat(view.nextAttemptAt()).isNull();
    }

    @Test
    void aTamperedBodyOrAnotherUsersSecretDoesNotVerify() throws Exception {
        String id = terminalAsk("alice", false);
        dispatcher(WebhookSettings.DEFAULT_SCHEDULE);
        await().atMost(Duration.ofSeconds(10)).until(() -> received.size() == 1);
        Received hook = received.peek();
        assertThat(Json.mapper().readTree(hook.body()).get("type").asText()).isEqualTo("ask.failed");
        assertThat(Json.mapper()
                        .readTree(hook.body())
                        .get("data")
                        .get("error")
                        .get("type")
                        .asText())
                .isEqualTo("backend_timeout");

        String secret = secrets.current("alice").secret();
        org.assertj.core.api.Assertions.assertThatThrownBy(
                        () -> new Webhook(secret).verify(hook.body().replace("took", "took not"), hook.headers()))
                .isInstanceOf(WebhookVerificationException.class);
        String bobs = secrets.current("bob").secret();
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> new Webhook(bobs).verify(hook.body(), hook.headers()))
                .isInstanceOf(WebhookVerificationException.class);
    }

    @Test
    void failedAttemptsAreRetriedWithTheSameWebhookIdAndRecorded() {
        statusFor = n -> n < 2 ? 500 : 200;
        String id = terminalAsk("alice", true);
        dispatcher(List.of(FAST, FAST, FAST));

        await().atMost(Duration.ofSeconds(10))
                .until(() -> delivery(id, "alice").status().equals("succeeded"));
        assertThat(delivery(id, "alice").attempts())
                .extracting(WebhookDeliveries.Attempt::statusCode)
                .containsExactly(500, 500, 200);
        assertThat(received).extracting(r -> r.header("webhook-id")).containsOnly("msg_" + id);
        assertThat(received)
                .extracting(Received::body)
                .as("the same body every time")
                .hasSize(3)
                .containsOnly(received.peek().body());
    }

    @Test
    void aDeliveryDiesAfterItsLastAttemptAndTheOwnerCanSendItAgain() {
        statusFor = n -> n < 3 ? 500 : 204;
        String id = terminalAsk("alice", true);
        dispatcher(List.of(FAST, FAST));

        await().atMost(Duration.ofSeconds(10))
                .until(() -> delivery(id, "alice").status().equals("dead"));
        assertThat(delivery(id, "alice").attempts()).hasSize(3);
        assertThat(deliveries.resend(id, "bob")).as("only the owner").isEmpty();

        // the dispatcher, woken by the resend, may answer before the resend reads its view back:
        // the receiver holds its answer until the view is read
        answersHeld = new CompletableFuture<>();
        assertThat(deliveries.resend(id, "alice"))
                .get()
                .extracting(WebhookDeliveries.DeliveryView::status)
                .isEqualTo("pending");
        answersHeld.complete(null);
        await().atMost(Duration.ofSeconds(10))
                .until(() -> delivery(id, "alice").status().equals("succeeded"));
        assertThat(delivery(id, "alice").attempts())
                .extracting(WebhookDeliveries.Attempt::attempt, WebhookDeliveries.Attempt::statusCode)
                .containsExactly(
                        org.assertj.core.groups.Tuple.tuple(1, 500),
                        org.assertj.core.groups.Tuple.tuple(2, 500),
                        org.assertj.core.groups.Tuple.tuple(3, 500),
                        org.assertj.core.groups.Tuple.tuple(4, 204));
        assertThat(received).extracting(r -> r.header("webhook-id")).containsOnly("msg_" + id);
    }

    @Test
    void gone410StopsRetriesAtOnce() throws Exception {
        statusFor = n -> 410;
        String id = terminalAsk("alice", true);
        dispatcher(List.of(FAST, FAST, FAST));

        await().atMost(Duration.ofSeconds(10))
                .until(() -> delivery(id, "alice").status().equals("dead"));
        Thread.sleep(300);
        assertThat(received).as(() -> delivery(id, "alice").toString()).hasSize(1);
        assertThat(delivery(id, "alice").attempts())
                .singleElement()
                .extracting(WebhookDeliveries.Attempt::statusCode)
                .isEqualTo(410);
    }

    @Test
    void retryAfterPushesTheNextAttemptBack() {
        statusFor = n -> n == 0 ? 429 : 204;
        String id = terminalAsk("alice", true);
        dispatcher(List.of(FAST, FAST));

        await().atMost(Duration.ofSeconds(10))
                .until(() -> delivery(id, "alice").attempts().size() == 1);
        Instant first = delivery(id, "alice").attempts().getFirst().attemptedAt();
        await().atMost(Duration.ofSeconds(10))
                .until(() -> delivery(id, "alice").status().equals("succeeded"));
        Instant second = delivery(id, "alice").attempts().get(1).attemptedAt();
        assertThat(Duration.between(first, second))
                .as("Retry-After: 2 beats the 50 ms schedule")
                .isGreaterThanOrEqualTo(Duration.ofMillis(1_900));
    }

    @Test
    void aReceiverThatDoesNotAnswerTimesOut() {
        statusFor = n -> n == 0 ? 0 : 204;
        String id = terminalAsk("alice", true);
        dispatcher(List.of(FAST), Duration.ofMillis(500), LOOPBACK_ALLOWED);

        await().atMost(Duration.ofSeconds(10))
                .until(() -> delivery(id, "alice").status().equals("succeeded"));
        WebhookDeliveries.Attempt first = delivery(id, "alice").attempts().getFirst();
        assertThat(first.statusCode()).isNull();
        assertThat(first.error()).containsIgnoringCase("timeout");
        assertThat(first.latencyMs()).isBetween(400L, 5_000L);
    }

    @Test
    void theAddressIsCheckedAgainAtDeliveryTime() {
        String id = terminalAsk("alice", true);
        // accepted at submit; by delivery time the name resolves (or the operator's allow-list
        // changed) so that the callback would reach loopback
        CallbackPolicy strict = new CallbackPolicy(true, List.of(), InetAddress::getAllByName);
        dispatcher(List.of(FAST), Duration.ofSeconds(5), strict);

        await().atMost(Duration.ofSeconds(10))
                .until(() -> delivery(id, "alice").status().equals("dead"));
        assertThat(delivery(id, "alice").attempts())
                .hasSize(2)
                .allSatisfy(a -> assertThat(a.error())
                        .isEqualTo("refused: the callback URL must resolve only to public addresses"));
        assertThat(received).as("nothing reached the receiver").isEmpty();
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "::ffff:127.0.0.1", // IPv4-mapped, as a resolver hands it back
                "::127.0.0.1", // IPv4-compatible
                "64:ff9b::7f00:1", // NAT64
                "64:ff9b:1::7f00:1", // local-use NAT64
                "2002:7f00:1::", // 6to4
                "2001:0:5db8:d70e:0:0:80ff:fffe" // Teredo, client 127.0.0.1
            })
    void aNameThatResolvesToAnIpv6FormOfLoopbackIsNeverConnectedTo(String literal) throws Exception {
        byte[] bytes = InetAddress.getByName(literal).getAddress();
        if (bytes.length == 4) { // the JDK folds a mapped literal; a resolver need not
            bytes = new byte[] {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, -1, -1, bytes[0], bytes[1], bytes[2], bytes[3]};
        }
        byte[] answer = bytes;
        // loopback is not allowed: were the answer approved, the receiver on 127.0.0.1 would get the POST
        CallbackPolicy strict = new CallbackPolicy(
                true, List.of(), host -> new InetAddress[] {Inet6Address.getByAddress(host, answer, -1)});
        String id = terminalAsk("alice", true, "http://hooks.example.com:" + receiver.actualPort() + "/hook");
        dispatcher(List.of(FAST), Duration.ofSeconds(5), strict);

        await().atMost(Duration.ofSeconds(10))
                .until(() -> delivery(id, "alice").status().equals("dead"));
        assertThat(delivery(id, "alice").attempts())
                .hasSize(2)
                .allSatisfy(a -> assertThat(a.error())
                        .isEqualTo("refused: the callback URL must resolve only to public addresses"));
        assertThat(requests).as("nothing was connected to").hasValue(0);
        assertThat(received).isEmpty();
    }

    @Test
    void instancesSharingTheOutboxDeliverEachWebhookOnce() {
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < 150; i++) {
            ids.add(terminalAsk("user-" + (i % 5), true));
        }
        dispatcher(WebhookSettings.DEFAULT_SCHEDULE);
        dispatcher(WebhookSettings.DEFAULT_SCHEDULE);
        dispatcher(WebhookSettings.DEFAULT_SCHEDULE);

        await().atMost(Duration.ofSeconds(30)).until(() -> deliveries.pending() == 0);
        for (String id : ids) {
            assertThat(deliveries
                            .find(id, "user-" + (ids.indexOf(id) % 5))
                            .orElseThrow()
                            .attempts())
                    .as("attempts at %s", id)
                    .hasSize(1);
        }
        Map<String, Long> perId =
                received.stream().collect(Collectors.groupingBy(r -> r.header("webhook-id"), Collectors.counting()));
        assertThat(perId)
                .hasSize(150)
                .allSatisfy((webhookId, count) -> assertThat(count).isEqualTo(1));
        assertThat(perId.keySet())
                .containsExactlyInAnyOrderElementsOf(
                        ids.stream().map(id -> "msg_" + id).toList());
    }

    @Test
    void replayingAResultDoesNotQueueASecondDelivery() {
        String id = terminalAsk("alice", true);
        AskRequest request = new AskRequest(id, "alice", "k-" + id, "prompt", null, null, Instant.now(), callback());
        asks.upsert(
                request,
                AskResult.succeeded(id, "dryrun", "dry-1", "another answer", Usage.of(1, 1), 5, 1, Instant.now()));
        dispatcher(WebhookSettings.DEFAULT_SCHEDULE);

        await().atMost(Duration.ofSeconds(10))
                .until(() -> delivery(id, "alice").status().equals("succeeded"));
        assertThat(received).singleElement().satisfies(r -> assertThat(r.body()).contains("\"answer\":\"42\""));
    }

    @Test
    void afterARotationBothSecretsSignUntilTheGraceRunsOut() throws Exception {
        String before = secrets.current("alice").secret();
        WebhookSecrets.SecretView rotated = secrets.rotate("alice", Duration.ofHours(1));
        assertThat(rotated.secret()).isNotEqualTo(before);
        assertThat(rotated.previousValidUntil()).isAfter(Instant.now());
        assertThat(secrets.current("alice").secret()).isEqualTo(rotated.secret());

        terminalAsk("alice", true);
        dispatcher(WebhookSettings.DEFAULT_SCHEDULE);
        await().atMost(Duration.ofSeconds(10)).until(() -> received.size() == 1);
        Received hook = received.peek();
        assertThat(hook.header("webhook-signature").split(" ")).hasSize(2);
        new Webhook(before).verify(hook.body(), hook.headers());
        new Webhook(rotated.secret()).verify(hook.body(), hook.headers());

        secrets.rotate("alice", Duration.ZERO);
        assertThat(secrets.signingSecrets("alice")).hasSize(1).doesNotContain(before, rotated.secret());
        assertThat(secrets.purgeExpired()).as("the two that stopped signing").isGreaterThanOrEqualTo(2);
        assertThat(secrets.signingSecrets("alice")).hasSize(1).doesNotContain(before, rotated.secret());
    }

    @Test
    void firstUsesAtOnceMakeOneSecret() throws Exception {
        int racers = 16;
        java.util.concurrent.CyclicBarrier start = new java.util.concurrent.CyclicBarrier(racers);
        List<java.util.concurrent.Future<List<String>>> signed = new ArrayList<>();
        try (var threads = java.util.concurrent.Executors.newFixedThreadPool(racers)) {
            for (int i = 0; i < racers; i++) {
                boolean shown = i % 4 == 0;
                signed.add(threads.submit(() -> {
                    start.await();
                    // as concurrent first deliveries of a new user, and the user asking for the secret
                    return shown ? List.of(secrets.current("carol").secret()) : secrets.signingSecrets("carol");
                }));
            }
        }
        String secret = secrets.current("carol").secret();
        for (var each : signed) {
            assertThat(each.get()).containsExactly(secret);
        }
        assertThat(DSL.using(dataSource, SQLDialect.POSTGRES).fetchCount(io.askpipe.store.db.Tables.WEBHOOK_SECRETS))
                .isEqualTo(1);
    }

    @Test
    void aRedirectIsAFailedAttemptAndIsNotFollowed() {
        statusFor = n -> n == 0 ? 302 : 204;
        String id = terminalAsk("alice", true);
        dispatcher(List.of(FAST));

        await().atMost(Duration.ofSeconds(10))
                .until(() -> delivery(id, "alice").status().equals("succeeded"));
        assertThat(delivery(id, "alice").attempts())
                .extracting(WebhookDeliveries.Attempt::statusCode)
                .containsExactly(302, 204);
        assertThat(received)
                .hasSize(2)
                .allSatisfy(r -> assertThat(r.header("host")).startsWith("127.0.0.1:"));
    }

    @Test
    void aReceiverThatIsDownForAWhileGetsEveryWebhookWhenItIsBack() throws Exception {
        int port = receiver.actualPort();
        receiver.close().await(); // down: connections are refused
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            ids.add(terminalAsk("alice", true));
        }
        List<Duration> schedule = java.util.Collections.nCopies(10, Duration.ofMillis(300));
        dispatcher(schedule);
        await().atMost(Duration.ofSeconds(10))
                .until(() -> ids.stream()
                        .allMatch(id -> delivery(id, "alice").attempts().size() >= 2));

        receiver = vertx.createHttpServer()
                .requestHandler(this::receive)
                .listen(port, "127.0.0.1")
                .await();
        await().atMost(Duration.ofSeconds(20)).until(() -> deliveries.pending() == 0);
        for (String id : ids) {
            WebhookDeliveries.DeliveryView view = delivery(id, "alice");
            assertThat(view.status()).isEqualTo("succeeded");
            assertThat(view.attempts().getFirst().error())
                    .as("refused while down")
                    .isNotNull();
            assertThat(view.attempts().getLast().statusCode()).isEqualTo(204);
        }
        Map<String, Long> perId =
                received.stream().collect(Collectors.groupingBy(r -> r.header("webhook-id"), Collectors.counting()));
        assertThat(perId.keySet())
                .containsExactlyInAnyOrderElementsOf(
                        ids.stream().map(id -> "msg_" + id).toList());
    }

    /** A receiver that accepts every webhook and never answers; counts what reached it. */
    private HttpServer hangingReceiver(AtomicInteger reached) {
        return vertx.createHttpServer()
                .requestHandler(request -> reached.incrementAndGet())
                .listen(0, "127.0.0.1")
                .await();
    }

    @Test
    void aUsersHangingReceiverHoldsOnlyThatUsersShareOfTheSlots() {
        AtomicInteger reached = new AtomicInteger();
        HttpServer hanging = hangingReceiver(reached);
        String hangs = "http://127.0.0.1:" + hanging.actualPort() + "/hooks";
        for (int i = 0; i < 40; i++) {
            terminalAsk("mallory", true, hangs);
        }
        // 8 slots in all, 2 per user: mallory's 40 due deliveries, older than alice's, would fill
        // every slot for the whole 10 s timeout without the cap
        dispatcher(List.of(FAST), Duration.ofSeconds(10), LOOPBACK_ALLOWED, 8, 2, 8);
        await().atMost(Duration.ofSeconds(5)).until(() -> reached.get() >= 2);
        Instant due = Instant.now();
        List<String> alices = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            alices.add(terminalAsk("alice", true));
        }

        await().atMost(Duration.ofSeconds(5))
                .pollInterval(Duration.ofMillis(50))
                .until(() -> alices.stream()
                        .allMatch(id -> delivery(id, "alice").status().equals("succeeded")));
        assertThat(Duration.between(due, Instant.now()))
                .as("long before mallory's attempts time out")
                .isLessThan(Duration.ofSeconds(8));
        assertThat(reached).as("mallory never had more than her cap in flight").hasValue(2);
        assertThat(meters.get("webhook_at_cap").tag("cap", "user").gauge().value())
                .isEqualTo(1.0);
        hanging.close().await(); // her attempts end now, not at their timeout
    }

    @Test
    void aHangingHostHoldsOnlyItsShareOfTheSlotsWhoeverSendsToIt() {
        AtomicInteger reached = new AtomicInteger();
        HttpServer hanging = hangingReceiver(reached);
        String hangs = "http://127.0.0.1:" + hanging.actualPort() + "/hooks";
        for (int i = 0; i < 40; i++) {
            terminalAsk("tenant-" + (i % 4), true, hangs);
        }
        // per user 8 would let the four tenants fill all 12 slots; per host 3 keeps 9 free
        dispatcher(List.of(FAST), Duration.ofSeconds(10), LOOPBACK_ALLOWED, 12, 8, 3);
        await().atMost(Duration.ofSeconds(5)).until(() -> reached.get() >= 3);
        Instant due = Instant.now();
        List<String> alices = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            alices.add(terminalAsk("alice", true));
        }

        await().atMost(Duration.ofSeconds(5))
                .pollInterval(Duration.ofMillis(50))
                .until(() -> alices.stream()
                        .allMatch(id -> delivery(id, "alice").status().equals("succeeded")));
        assertThat(Duration.between(due, Instant.now())).isLessThan(Duration.ofSeconds(8));
        assertThat(reached).as("never more than the host's cap in flight to it").hasValue(3);
        assertThat(meters.get("webhook_at_cap").tag("cap", "host").gauge().value())
                .isEqualTo(1.0);
        hanging.close().await();
    }

    @Test
    void aClaimTakesNoMoreOfOneUserThanItsCapLeaves() {
        for (int i = 0; i < 10; i++) {
            terminalAsk("mallory", true);
        }
        for (int i = 0; i < 3; i++) {
            terminalAsk("alice", true);
        }
        String host = "127.0.0.1:" + receiver.actualPort();
        List<WebhookDeliveries.Due> claimed = deliveries.claimDue(
                8,
                Instant.now().plusSeconds(60),
                new WebhookDeliveries.InFlight(Map.of("mallory", 1), Map.of(), 3, 100));
        assertThat(claimed)
                .extracting(WebhookDeliveries.Due::userId)
                .containsExactlyInAnyOrder("mallory", "mallory", "alice", "alice", "alice");
        assertThat(claimed).extracting(WebhookDeliveries.Due::host).containsOnly(host);
        assertThat(deliveries.claimDue(
                        8,
                        Instant.now().plusSeconds(60),
                        new WebhookDeliveries.InFlight(Map.of("mallory", 3), Map.of(), 3, 100)))
                .as("mallory at her cap: nothing of hers, and nothing else is due")
                .isEmpty();
        assertThat(deliveries.claimDue(
                        8,
                        Instant.now().plusSeconds(60),
                        new WebhookDeliveries.InFlight(Map.of(), Map.of(host, 6), 100, 8)))
                .as("two more to a host with 6 of 8 in flight")
                .hasSize(2);
    }

    @Test
    void aDestinationIsItsHostAndPortHoweverTheUrlSpellsThem() {
        Map<String, String> spelled = new java.util.LinkedHashMap<>();
        for (String url : List.of(
                "https://localhost/a",
                "https://LocalHost.:443/b",
                "https://user@localhost..:0443/c?d#e",
                "https://localhost?x")) {
            spelled.put(terminalAsk("alice", true, url), "localhost");
        }
        spelled.put(terminalAsk("alice", true, "http://localhost:80/f"), "localhost");
        spelled.put(terminalAsk("alice", true, "http://localhost.:8080/g"), "localhost:8080");
        spelled.put(terminalAsk("alice", true, "http://[::1]:8080/h"), "[::1]:8080");
        spelled.put(terminalAsk("alice", true, "http://127.0.0.1:9"), "127.0.0.1:9");

        Map<String, String> claimed = new java.util.HashMap<>();
        for (WebhookDeliveries.Due due : deliveries.claimDue(100, Instant.now().plusSeconds(60))) {
            claimed.put(due.requestId().orElseThrow(), due.host());
        }
        assertThat(claimed).containsAllEntriesOf(spelled);
    }

    @Test
    void deliveriesGoWithTheirAskOnlyOnceTheyAreFinished() {
        statusFor = n -> 500;
        String id = terminalAsk("alice", true);
        Instant cutoff = Instant.now().plusSeconds(60);
        assertThat(asks.expired(cutoff, 100)).as("pending: kept").doesNotContain(id);
        assertThat(asks.delete(List.of(id), cutoff)).as("pending: kept").isZero();
        dispatcher(List.of(FAST));
        await().atMost(Duration.ofSeconds(10))
                .until(() -> delivery(id, "alice").status().equals("dead"));
        assertThat(asks.expired(cutoff, 100)).contains(id);
        assertThat(asks.delete(List.of(id), cutoff)).isEqualTo(1);
        assertThat(deliveries.find(id, "alice")).isEmpty();
    }
}
