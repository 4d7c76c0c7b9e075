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
import io.askpipe.common.service.OpsSettings;
import io.askpipe.embedded.Directories;
import io.askpipe.embedded.EmbeddedPostgresServer;
import io.askpipe.embedded.KafkaCluster;
import io.askpipe.embedded.SharedInfrastructure;
import io.askpipe.ingest.api.IngestLimits;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.ext.web.Router;
import java.io.IOException;
import java.net.InetAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A broker that stops answering without closing its sockets (its process stopped with SIGSTOP) under
 * a running ingest API, while the ledger's recovery tries to publish the asks it abandoned and their
 * clients retry them: every submit, of those clients and of everyone else, is answered within the
 * publish timeout (and a second for the round trip), another user's with 202 or 503, and beyond the bound on submits in
 * flight a submit is refused at once. Uses a broker of its own (a child JVM), since it stops it.
 */
class SlowBrokerIT {
    private static final Duration PUBLISH_TIMEOUT = Duration.ofSeconds(2);
    /** The bound every answer must meet: the publish timeout, and a second for the round trip. */
    private static final Duration BOUND = PUBLISH_TIMEOUT.plusSeconds(1);

    private static final int MAX_IN_FLIGHT = 8;

    private Path dir;
    private KafkaCluster kafka;
    private long brokerPid;
    private boolean stopped;
    private IngestService service;
    private SimpleMeterRegistry meters;
    private AuthService accounts;
    private Vertx vertx;
    private HttpServer server;
    private final HttpClient http = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .executor(Executors.newVirtualThreadPerTaskExecutor())
            .build();
    private String retrier;
    private String other;

    @BeforeEach
    void start() throws Exception {
        dir = Files.createTempDirectory("askpipe-slowbroker-");
        kafka = KafkaCluster.start(1, dir);
        brokerPid = childPid(dir);
        String name = SharedInfrastructure.uniqueName("slowbroker");
        EmbeddedPostgresServer pg = SharedInfrastructure.postgres();
        DatabaseSettings database = new DatabaseSettings(pg.createDatabase(name), pg.user(), pg.password(), 4);
        IngestConfig defaults = new IngestConfig(
                KafkaSettings.local(kafka.bootstrapServers(), name + "."),
                database,
                new AuthSettings(Duration.ofMinutes(1)),
                new HttpSettings("127.0.0.1", 0),
                new OpsSettings("127.0.0.1", 0),
                IngestLimits.DEFAULTS,
                new CallbackPolicy(true, List.of(), InetAddress::getAllByName),
                PUBLISH_TIMEOUT,
                Duration.ofMinutes(5),
                Duration.ofMillis(300)); // the recovery runs all the time
        IngestConfig config = new IngestConfig(
                defaults.kafka(),
                defaults.database(),
                defaults.auth(),
                defaults.http(),
                defaults.ops(),
                defaults.limits(),
                defaults.callbacks(),
                defaults.publishTimeout(),
                defaults.idempotencyTtl(),
                defaults.recoveryInterval(),
                MAX_IN_FLIGHT,
                defaults.ledgerLockTimeout(),
                defaults.ledgerStatementTimeout(),
                defaults.chatCompletionsWait(),
                defaults.cancelWait());
        meters = new SimpleMeterRegistry();
        service = IngestService.start(config, meters);
        accounts = AuthService.start(database, config.auth());
        retrier = "Bearer "
                + accounts.accounts()
                        .issueKey(accounts.accounts().createUser("retrier").id())
                        .secret();
        other = "Bearer "
                + accounts.accounts()
                        .issueKey(accounts.accounts().createUser("other").id())
                        .secret();
        vertx = Vertx.vertx();
        Router router = HttpServers.baseRouter(vertx);
        service.mount(router);
        server = HttpServers.start(vertx, router, config.http());
    }

    @AfterEach
    void stop() throws Exception {
        if (stopped) {
            signal("-CONT");
        }
        // whatever started before a failed set-up is stopped, the broker last
        if (vertx != null) {
            vertx.close().await();
        }
        if (service != null) {
            service.close();
        }
        if (accounts != null) {
            accounts.close();
        }
        if (kafka != null) {
            kafka.close();
        }
        Directories.deleteRecursively(dir);
    }

    private record Answer(int status, String retryAfter, Duration took) {}

    private Answer submit(String bearer, String key) throws IOException, InterruptedException {
        HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.actualPort() + "/v1/ask"))
                .header("Authorization", bearer)
                .header("Content-Type", "application/json")
                .header("Idempotency-Key", key)
                .timeout(Duration.ofSeconds(60))
                .POST(HttpRequest.BodyPublishers.ofString("{\"prompt\":\"are you there?\"}"))
                .build();
        long started = System.nanoTime();
        HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
        return new Answer(
                response.statusCode(),
                response.headers().firstValue("Retry-After").orElse(null),
                Duration.ofNanos(System.nanoTime() - started));
    }

    /** Sends every submit at once, each on a thread of its own; the answers in their order. */
    private static List<Answer> together(List<Callable<Answer>> submits) throws Exception {
        List<Answer> answers = new ArrayList<>();
        try (var threads = Executors.newVirtualThreadPerTaskExecutor()) {
            for (Future<Answer> answer : threads.invokeAll(submits)) {
                answers.add(answer.get());
            }
        }
        return answers;
    }

    @Test
    void retriesAgainstAStalledBrokerLeaveEveryoneElsesSubmitsAnsweredInTime() throws Exception {
        assertThat(submit(other, "warm-up").status()).isEqualTo(202);
        signal("-STOP");

        List<Callable<Answer>> first = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            String key = "retried-" + i;
            first.add(() -> submit(retrier, key));
        }
        assertAllAnsweredInTime(together(first), 503);

        // the claims are abandoned and the recovery keeps trying to publish them while the broker is
        // stalled; meanwhile their client retries them, and another user submits new asks
        long until = System.nanoTime()
                + Duration.ofSeconds(12).toNanos(); // past abandonment (publish timeout + 5 s) and some rounds
        int round = 0;
        while (System.nanoTime() < until) {
            List<Callable<Answer>> submits = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                String key = "retried-" + i;
                submits.add(() -> submit(retrier, key));
            }
            String fresh = "fresh-" + round++;
            submits.add(() -> submit(other, fresh));
            List<Answer> answers = together(submits);
            assertAllAnsweredInTime(answers.subList(0, 3), 409, 503);
            assertAllAnsweredInTime(answers.subList(3, 4), 202, 503); // a fresh key is never in progress
        }

        signal("-CONT");
        for (int i = 0; i < 6; i++) {
            String key = "retried-" + i;
            await(key + " converges on its one ask once the broker answers again")
                    .atMost(Duration.ofSeconds(60))
                    .pollInterval(Duration.ofMillis(500))
                    .until(() -> submit(retrier, key).status() == 202);
        }
        assertThat(submit(other, "after").status()).isEqualTo(202);
    }

    @Test
    void beyondTheBoundOnSubmitsInFlightASubmitIsRefusedAtOnce() throws Exception {
        assertThat(submit(other, "warm-up").status()).isEqualTo(202);
        signal("-STOP");

        List<Callable<Answer>> submits = new ArrayList<>();
        for (int i = 0; i < 3 * MAX_IN_FLIGHT; i++) {
            String key = "crowd-" + i;
            submits.add(() -> submit(other, key));
        }
        List<Answer> answers = together(submits);

        assertAllAnsweredInTime(answers, 503);
        assertThat(answers)
                .filteredOn(a -> a.took().compareTo(Duration.ofMillis(1_000)) < 0)
                .as("the submits beyond the bound are refused before any ledger or Kafka work")
                .hasSizeGreaterThanOrEqualTo(MAX_IN_FLIGHT);
        assertThat(meters.get("ingest_rejected")
                        .tag("reason", "overloaded")
                        .counter()
                        .count())
                .isGreaterThanOrEqualTo(MAX_IN_FLIGHT);
    }

    private static void assertAllAnsweredInTime(List<Answer> answers, Integer... statuses) {
        for (Answer answer : answers) {
            assertThat(answer.took()).as("answered within the bound, not hung").isLessThan(BOUND);
            assertThat(answer.status()).isIn((Object[]) statuses);
            if (answer.status() == 503) {
                assertThat(answer.retryAfter()).isNotBlank();
            }
        }
    }

    /** Sends {@code signal} to the broker's process: {@code -STOP} stalls it with its sockets open. */
    private void signal(String signal) throws Exception {
        Process kill = new ProcessBuilder("kill", signal, Long.toString(brokerPid))
                .inheritIO()
                .start();
        assertThat(kill.waitFor()).isZero();
        stopped = signal.equals("-STOP");
    }

    /** The pid of the broker this test started: the child JVM whose command line names {@code dir}. */
    private static long childPid(Path dir) {
        return ProcessHandle.current()
                .children()
                .filter(child -> {
                    try {
                        String cmdline = Files.readString(Path.of("/proc", Long.toString(child.pid()), "cmdline"));
                        return cmdline.contains("kafka.Kafka") && cmdline.contains(dir.toString());
                    } catch (IOException e) {
                        return false;
                    }
                })
                .findFirst()
                .orElseThrow(() -> new IllegalStateException("no broker process under " + dir))
                .pid();
    }
}
