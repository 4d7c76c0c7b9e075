package io.askpipe.devstack;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.askpipe.embedded.Directories;
import io.askpipe.embedded.EmbeddedKafka;
import io.askpipe.embedded.EmbeddedPostgresServer;
import io.askpipe.embedded.FreePorts;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The acceptance check of durable ingest, as an operator would run it: the dev stack as its own
 * process, {@code kill -9} in the middle of a burst of submits, a restart, and then every ask that
 * was answered 202 reaches a terminal result, and every client retry of an unanswered ask
 * converges on exactly one ask per Idempotency-Key.
 *
 * <p>Two drills. In every build, the services' process dies while the broker and the database it
 * uses live on (in this JVM), as they would in a deployment. On its own ({@code crash} tag, README
 * "Run the tests"), the all-in-one stack dies with its own broker and database, Kafka's own crash
 * included (docs/operations.md, "Start-up").
 *
 * <p>The stack's output goes to {@code stack.log} in its data directory; set {@code
 * ASKPIPE_KEEP_CRASH_DIR} to keep the directory after the test; a failure keeps it anyway and
 * says where the stuck ask got to.
 */
class CrashRecoveryIT {
    private static final int ASKS = 600;
    private static final int KILL_AFTER_ACCEPTED = 150;

    private Path dataDir;
    private Map<String, String> env;
    private String bootstrap;
    private String jdbcUrl;
    private AskClient asks;
    private Process stack;
    private boolean keepDataDir;
    private EmbeddedKafka kafka;
    private EmbeddedPostgresServer postgres;

    @BeforeEach
    void prepare() throws IOException {
        dataDir = Files.createTempDirectory("askpipe-crash-");
        int httpPort = FreePorts.next();
        asks = new AskClient(URI.create("http://127.0.0.1:" + httpPort), "crash", Duration.ofSeconds(15));
        env = new HashMap<>(Map.of(
                "ASKPIPE_DATA_DIR", dataDir.toString(),
                "ASKPIPE_DEV_KEY_FILE", dataDir.resolve("dev-key").toString(),
                "HTTP_PORT", String.valueOf(httpPort),
                "KAFKA_TOPIC_PARTITIONS", "3",
                "DRYRUN_LATENCY_MS", "5"));
    }

    @AfterEach
    void cleanUp() throws Exception {
        if (stack != null && stack.isAlive()) {
            stack.destroy(); // SIGTERM: the stack stops in order, its database too
            if (!stack.waitFor(60, TimeUnit.SECONDS)) {
                stack.destroyForcibly();
            }
        }
        // a database left behind by a killed stack that was never restarted
        ProcessHandle.allProcesses()
                .filter(p -> p.info().commandLine().orElse("").contains(dataDir.toString()))
                .forEach(ProcessHandle::destroy);
        if (postgres != null) {
            postgres.close();
        }
        if (kafka != null) {
            kafka.close();
        }
        if (System.getenv("ASKPIPE_KEEP_CRASH_DIR") == null && !keepDataDir) {
            Directories.deleteRecursively(dataDir);
        }
    }

    @Test
    void killMinus9OfTheServicesLosesNoAcceptedAsk() throws Exception {
        kafka = EmbeddedKafka.persistent(dataDir.resolve("kafka"), 0).start();
        postgres = EmbeddedPostgresServer.persistent(dataDir.resolve("postgres"), FreePorts.next());
        bootstrap = kafka.bootstrapServers();
        jdbcUrl = postgres.createDatabase("askpipe");
        env.put("KAFKA_BOOTSTRAP_SERVERS", bootstrap);
        env.put("DATABASE_URL", jdbcUrl);
        env.put("DATABASE_USER", postgres.user());
        env.put("DATABASE_PASSWORD", postgres.password());
        burstKillRestartAndCheck();
    }

    @Test
    @Tag("crash")
    void killMinus9OfTheWholeStackLosesNoAcceptedAsk() throws Exception {
        int kafkaPort = FreePorts.next();
        int postgresPort = FreePorts.next();
        bootstrap = "127.0.0.1:" + kafkaPort;
        jdbcUrl = "jdbc:postgresql://127.0.0.1:" + postgresPort + "/askpipe";
        env.put("ASKPIPE_KAFKA_PORT", String.valueOf(kafkaPort));
        env.put("ASKPIPE_POSTGRES_PORT", String.valueOf(postgresPort));
        burstKillRestartAndCheck();
    }

    private void burstKillRestartAndCheck() throws Exception {
        String key = start();
        Map<Integer, String> accepted = new ConcurrentHashMap<>();
        AtomicInteger unanswered = new AtomicInteger();
        AtomicInteger acceptedCount = new AtomicInteger();
        try (ExecutorService clients = Executors.newFixedThreadPool(16)) {
            List<Future<?>> burst = new ArrayList<>();
            for (int i = 0; i < ASKS; i++) {
                int n = i;
                burst.add(clients.submit(() -> {
                    try {
                        HttpResponse<String> response = asks.submit(key, n);
                        if (response.statusCode() == 202) {
                            accepted.put(n, AskClient.requestId(response));
                            // counted apart from the map: its size can skip a value under concurrency
                            if (acceptedCount.incrementAndGet() == KILL_AFTER_ACCEPTED) {
                                stack.destroyForcibly(); // SIGKILL, mid-burst
                            }
                        } else {
                            unanswered.incrementAndGet();
                        }
                    } catch (IOException e) {
                        unanswered.incrementAndGet(); // connection refused or reset by the crash
                    }
                    return null;
                }));
            }
            for (Future<?> f : burst) {
                f.get();
            }
        }
        assertThat(stack.waitFor(60, TimeUnit.SECONDS))
                .as("the stack was killed")
                .isTrue();
        assertThat(accepted.size()).as("accepted before the crash").isGreaterThanOrEqualTo(KILL_AFTER_ACCEPTED);
        assertThat(unanswered.get()).as("the crash cut the burst short").isPositive();

        String keyAfter = start();

        // every ask answered 202 before the crash reaches a terminal result
        for (var entry : accepted.entrySet()) {
            JsonNode view;
            try {
                view = await().atMost(Duration.ofSeconds(90))
                        .pollDelay(Duration.ZERO)
                        .pollInterval(Duration.ofMillis(100))
                        .ignoreExceptions()
                        .until(
                                () -> AskClient.json(asks.get(keyAfter, "/v1/ask/" + entry.getValue())),
                                CrashRecoveryIT::terminal);
            } catch (org.awaitility.core.ConditionTimeoutException e) {
                keepDataDir = true;
                throw new AssertionError(
                        "ask " + entry.getKey() + " (" + entry.getValue() + ") is not terminal 90 s after the restart; "
                                + whereIs(entry.getValue()) + "; the stack's log and data are kept in " + dataDir,
                        e);
            }
            assertThat(view.get("status").asText()).as("ask %d", entry.getKey()).isEqualTo("succeeded");
        }

        // clients retry with the same Idempotency-Key; each key converges on exactly one ask
        Map<Integer, String> byKey = new ConcurrentHashMap<>();
        for (int n = 0; n < ASKS; n++) {
            int ask = n;
            HttpResponse<String> retry = await().atMost(Duration.ofSeconds(60))
                    .pollDelay(Duration.ZERO)
                    .pollInterval(Duration.ofMillis(200))
                    .ignoreExceptions()
                    .until(() -> asks.submit(keyAfter, ask), r -> r.statusCode() == 202);
            byKey.put(n, AskClient.requestId(retry));
            if (accepted.containsKey(n)) {
                assertThat(retry.headers().firstValue("Idempotent-Replayed"))
                        .as("a retry of ask %d, accepted before the crash", n)
                        .contains("true");
                assertThat(byKey.get(n)).isEqualTo(accepted.get(n));
            }
        }
        assertThat(byKey.values().stream().distinct().count()).isEqualTo(ASKS);

        JsonNode usage = await().atMost(Duration.ofSeconds(90))
                .pollInterval(Duration.ofMillis(200))
                .until(
                        () -> AskClient.json(asks.get(keyAfter, "/v1/usage")),
                        u -> u.get("asks").get("pending").asInt() == 0
                                && u.get("asks").get("submitted").asInt() >= ASKS);
        assertThat(usage.get("asks").get("submitted").asInt())
                .as("one ask per Idempotency-Key, no duplicates")
                .isEqualTo(ASKS);
        assertThat(usage.get("asks").get("succeeded").asInt()).isEqualTo(ASKS);
    }

    /** Starts the dev stack as a child JVM on the data directory; returns its development key. */
    private String start() throws Exception {
        Path keyFile = dataDir.resolve("dev-key");
        Files.deleteIfExists(keyFile);
        ProcessBuilder builder = new ProcessBuilder(
                        ProcessHandle.current().info().command().orElse("java"),
                        "-Xmx512m",
                        "-XX:+UseSerialGC",
                        "-cp",
                        System.getProperty("java.class.path"),
                        DevStackMain.class.getName())
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(
                        dataDir.resolve("stack.log").toFile()));
        builder.environment().putAll(env);
        stack = builder.start();
        await().atMost(Duration.ofSeconds(90))
                .pollInterval(Duration.ofMillis(200))
                .failFast("the stack exited; see " + dataDir.resolve("stack.log"), () -> !stack.isAlive())
                .until(() -> Files.exists(keyFile) && Files.size(keyFile) > 0);
        return Files.readString(keyFile).strip();
    }

    /**
     * Where a stuck ask got to: its row in the result store, the router's memory of it, and
     * whether {@code ask.results} holds a result for it. For the failure message.
     */
    private String whereIs(String requestId) {
        StringBuilder where = new StringBuilder();
        try (var db = java.sql.DriverManager.getConnection(jdbcUrl, "postgres", "postgres")) {
            for (String sql : new String[] {
                "SELECT status FROM store.asks WHERE request_id = ?",
                "SELECT status FROM router.results WHERE request_id = ?"
            }) {
                try (var query = db.prepareStatement(sql)) {
                    query.setString(1, requestId);
                    var rows = query.executeQuery();
                    where.append(sql, sql.indexOf("FROM ") + 5, sql.indexOf(" WHERE"))
                            .append(": ")
                            .append(rows.next() ? rows.getString(1) : "no row")
                            .append("; ");
                }
            }
        } catch (java.sql.SQLException e) {
            where.append("database not readable: ").append(e.getMessage()).append("; ");
        }
        Map<String, Object> props = Map.of(
                "bootstrap.servers",
                bootstrap,
                "key.deserializer",
                org.apache.kafka.common.serialization.StringDeserializer.class.getName(),
                "value.deserializer",
                org.apache.kafka.common.serialization.StringDeserializer.class.getName(),
                "isolation.level",
                "read_committed");
        try (var consumer = new org.apache.kafka.clients.consumer.KafkaConsumer<String, String>(props)) {
            var partitions = consumer.partitionsFor("ask.results").stream()
                    .map(p -> new org.apache.kafka.common.TopicPartition(p.topic(), p.partition()))
                    .toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            var end = consumer.endOffsets(partitions);
            int found = 0;
            long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
            while (partitions.stream().anyMatch(tp -> consumer.position(tp) < end.get(tp))
                    && System.nanoTime() < deadline) {
                for (var record : consumer.poll(Duration.ofMillis(500))) {
                    if (requestId.equals(record.key())) {
                        found++;
                    }
                }
            }
            where.append("ask.results: ").append(found).append(" committed record(s) for it");
        } catch (RuntimeException e) {
            where.append("ask.results not readable: ").append(e.getMessage());
        }
        return where.toString();
    }

    private static boolean terminal(JsonNode view) {
        String status = view.path("status").asText();
        return status.equals("succeeded") || status.equals("failed");
    }
}
