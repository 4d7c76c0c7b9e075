package io.askpipe.ingest.batch;

import static io.askpipe.ingest.batch.BatchTestBed.line;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.askpipe.auth.AuthService;
import io.askpipe.auth.AuthSettings;
import io.askpipe.common.db.DatabaseSettings;
import io.askpipe.common.kafka.KafkaSettings;
import io.askpipe.embedded.ChildJvm;
import io.askpipe.embedded.EmbeddedPostgresServer;
import io.askpipe.embedded.FreePorts;
import io.askpipe.embedded.SharedInfrastructure;
import io.askpipe.ingest.IngestMain;
import io.askpipe.ingest.files.FileService;
import io.askpipe.ingest.ledger.PostgresAskLedger;
import io.askpipe.schemas.AskRequest;
import io.askpipe.schemas.Json;
import java.io.ByteArrayInputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.jooq.DSLContext;
import org.jooq.Record;
import org.jooq.SQLDialect;
import org.jooq.impl.DSL;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The issue's crash test of a batch's expansion: ingest runs as its own process ({@link
 * IngestMain}) on the shared broker and database, is killed with {@code kill -9} once the
 * checkpoint of a batch of a few thousand lines moved and before it reached the end, and another
 * process takes the batch over. Then every {@code custom_id} has exactly one request id on {@code
 * ask.requests.batch} (a chunk redone republishes the same ids), no line is missing, and {@code
 * batch_lines} has one row per line.
 */
class BatchExpansionCrashIT {
    private static final int LINES = 3000;

    private final List<Process> processes = new ArrayList<>();
    private Path logs;

    @AfterEach
    void stop() throws Exception {
        for (Process process : processes) {
            if (process.isAlive()) {
                process.destroy();
                if (!process.waitFor(30, TimeUnit.SECONDS)) {
                    process.destroyForcibly();
                }
            }
        }
    }

    @Test
    void killMinus9InTheMiddleOfTheExpansionNeitherQueuesALineTwiceNorSkipsOne() throws Exception {
        String name = SharedInfrastructure.uniqueName("batchcrash");
        KafkaSettings kafka = KafkaSettings.local(SharedInfrastructure.kafka().bootstrapServers(), name + ".");
        EmbeddedPostgresServer pg = SharedInfrastructure.postgres();
        DatabaseSettings database = new DatabaseSettings(pg.createDatabase(name), pg.user(), pg.password(), 2);
        database.migrate("it-migrate", PostgresAskLedger.SCHEMA);
        String bearer;
        String userId;
        try (AuthService accounts = AuthService.start(database, new AuthSettings(Duration.ZERO))) {
            userId = accounts.accounts().createUser("alice").id();
            bearer = "Bearer " + accounts.accounts().issueKey(userId).secret();
        }
        List<String> lines = new ArrayList<>();
        for (int i = 0; i < LINES; i++) {
            lines.add(line("line-" + i, "question " + i));
        }
        String fileId;
        try (FileService files = FileService.start(database, PostgresAskLedger.SCHEMA, Clock.systemUTC())) {
            byte[] content = (String.join("\n", lines) + "\n").getBytes(StandardCharsets.UTF_8);
            fileId = files.store()
                    .create(userId, "batch", "crash.jsonl", new ByteArrayInputStream(content), Optional.empty())
                    .id();
        }
        logs = Files.createTempDirectory("askpipe-batch-crash-");
        int port = FreePorts.next();
        Map<String, String> env = new HashMap<>(Map.of(
                "KAFKA_BOOTSTRAP_SERVERS", kafka.bootstrapServers(),
                "KAFKA_TOPIC_PREFIX", name + ".",
                "DATABASE_URL", database.jdbcUrl(),
                "DATABASE_USER", database.user(),
                "DATABASE_PASSWORD", database.password(),
                "HTTP_HOST", "127.0.0.1",
                "HTTP_PORT", String.valueOf(port),
                "OPS_PORT", "0",
                "LOG_FORMAT", "text"));
        env.putAll(Map.of(
                "BATCH_EXPANSION_CHUNK", "10",
                "BATCH_POLL_INTERVAL_MS", "100",
                "BATCH_LEASE_MS", "2000",
                "AUTH_CACHE_TTL", "0s"));
        HttpClient http = HttpClient.newHttpClient();
        DSLContext db = DSL.using(database.dataSource("it-crash", PostgresAskLedger.SCHEMA, 1), SQLDialect.POSTGRES);

        Process first = start(env, "first", http, port, bearer);
        HttpResponse<String> created = http.send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/v1/batches"))
                        .header("Authorization", bearer)
                        .header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofString("{\"input_file_id\": \"" + fileId
                                + "\", \"endpoint\": \"/v1/chat/completions\", \"completion_window\": \"24h\"}"))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(created.statusCode()).as(created.body()).isEqualTo(200);
        String id = Json.mapper().readTree(created.body()).get("id").asText();

        // kill -9 once the checkpoint moved past a few chunks, well before the end
        await().atMost(Duration.ofSeconds(120))
                .pollInterval(Duration.ofMillis(10))
                .until(() -> expandedLines(db, id) >= 200);
        first.destroyForcibly();
        assertThat(first.waitFor(30, TimeUnit.SECONDS)).isTrue();
        long atKill = expandedLines(db, id);
        assertThat(atKill)
                .as("the kill came in the middle of the expansion (see %s)", logs)
                .isBetween(200L, (long) LINES - 1);

        start(env, "second", http, port, bearer);
        await().atMost(Duration.ofSeconds(120))
                .pollInterval(Duration.ofMillis(200))
                .until(() -> expandedLines(db, id) >= LINES);

        Map<String, Set<String>> requestIds = published(kafka);
        assertThat(requestIds).as("every line was queued").hasSize(LINES);
        assertThat(requestIds.values())
                .as("each line is one ask: its records carry one request id")
                .allSatisfy(ids -> assertThat(ids).hasSize(1));
        assertThat(requestIds.values().stream()
                        .map(ids -> ids.iterator().next())
                        .distinct())
                .hasSize(LINES);
        Record rows = db.resultQuery(
                        "SELECT count(*), count(DISTINCT request_id), min(line), max(line) FROM batch_lines"
                                + " WHERE batch_id = ?",
                        id)
                .fetchSingle();
        assertThat(rows.get(0, Long.class)).as("one row per line").isEqualTo(LINES);
        assertThat(rows.get(1, Long.class)).isEqualTo(LINES);
        assertThat(rows.get(2, Integer.class)).isEqualTo(1);
        assertThat(rows.get(3, Integer.class)).isEqualTo(LINES);
        for (Record row : db.resultQuery("SELECT custom_id, request_id FROM batch_lines WHERE batch_id = ?", id)) {
            assertThat(requestIds.get(row.get(0, String.class)))
                    .as("the row's request id is the published one")
                    .containsExactly(row.get(1, String.class));
        }
    }

    /** Starts ingest as a child process and waits until it answers; its output goes to the logs. */
    private Process start(Map<String, String> env, String which, HttpClient http, int port, String bearer)
            throws Exception {
        ProcessBuilder builder = new ProcessBuilder(
                        ChildJvm.command(List.of("-Xmx384m", "-XX:+UseSerialGC"), IngestMain.class.getName()))
                .redirectErrorStream(true)
                .redirectOutput(logs.resolve(which + ".log").toFile());
        builder.environment().putAll(env);
        Process process = builder.start();
        processes.add(process);
        await().atMost(Duration.ofSeconds(120))
                .pollInterval(Duration.ofMillis(200))
                .failFast("ingest exited; see " + logs, () -> !process.isAlive())
                .ignoreExceptions()
                .until(
                        () -> http.send(
                                        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/v1/batches"))
                                                .header("Authorization", bearer)
                                                .build(),
                                        HttpResponse.BodyHandlers.ofString())
                                .statusCode(),
                        status -> status == 200);
        return process;
    }

    private static long expandedLines(DSLContext db, String id) {
        return db.resultQuery("SELECT expanded_lines FROM batches WHERE id = ?", id)
                .fetchSingle()
                .get(0, Long.class);
    }

    /** Every record of {@code ask.requests.batch}: each custom_id with the request ids it was published with. */
    private static Map<String, Set<String>> published(KafkaSettings kafka) {
        var topic = kafka.topics().batchRequests();
        Map<String, Object> props = kafka.clientProperties("it-crash-reader");
        props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        Map<String, Set<String>> byCustomId = new HashMap<>();
        try (var consumer = new KafkaConsumer<>(
                props, topic.keySerde().deserializer(), topic.valueSerde().deserializer())) {
            List<TopicPartition> partitions = consumer.partitionsFor(topic.name()).stream()
                    .map(p -> new TopicPartition(p.topic(), p.partition()))
                    .toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            while (partitions.stream().anyMatch(tp -> consumer.position(tp) < end.get(tp))
                    && System.nanoTime() < deadline) {
                consumer.poll(Duration.ofMillis(200)).forEach(record -> {
                    AskRequest ask = record.value();
                    assertThat(record.key()).isEqualTo(ask.requestId());
                    String customId =
                            ask.idempotencyKey().substring(ask.idempotencyKey().indexOf('/') + 1);
                    byCustomId.computeIfAbsent(customId, c -> new HashSet<>()).add(ask.requestId());
                });
            }
        }
        return byCustomId;
    }
}
