package io.askpipe.bench;

import io.askpipe.embedded.ChildJvm;
import io.askpipe.embedded.FreePorts;
import io.askpipe.schemas.Json;
import io.vertx.core.Vertx;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.HdrHistogram.Histogram;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;

/**
 * The load generator and its baselines, in one run on one machine: the all-in-one stack in a child
 * process on fresh data (dryrun backend without latency, auth, idempotency ledger and the
 * exactly-once result store on, as {@code ./askpipe dev} runs), and beside each headline figure the
 * baseline it is divided by.
 *
 * <p>First the stack warms up (30 s of asks at 300 per second, long-polled, not counted), so that
 * what follows measures compiled code. Then:
 *
 * <ol>
 *   <li><b>Ingest peak</b>: {@code POST /v1/ask} with {@code --connections} requests in flight for
 *       10 s, against a hello-world endpoint of the same server library ({@link HelloServer}) with
 *       the same client and connections.
 *   <li><b>Ingest at half the peak</b>: open loop at half the ingest peak for {@code --duration};
 *       submit latency percentiles.
 *   <li><b>Submit to result</b>: open loop at {@code --rate} asks/s, each long-polled ({@code GET
 *       /v1/ask/{id}?wait=10}) until terminal; from the ask's due moment to the answer, against
 *       Kafka's {@code EndToEndLatency} on the same broker.
 *   <li><b>Completed asks per second</b>: open loop at {@code --sustain} asks/s for {@code
 *       --duration}, no polls; the rate at which asks reach a terminal row in {@code store.asks}
 *       (from the first ask's acceptance to the last row), against Kafka's {@code
 *       ProducerPerformance} (the ingest producer's settings) and a plain JDBC batched upsert loop
 *       on the same PostgreSQL.
 *   <li><b>CPU per completed ask</b> in that phase, of the stack's JVM and of its PostgreSQL.
 *   <li><b>Memory</b> (proportional set size) of the stack's JVM, and of it with its PostgreSQL, sampled every half
 *       second throughout.
 * </ol>
 *
 * <p>Prints a progress line every second, then a summary table; the same figures go to a JSON file.
 *
 * <p>{@code ./askpipe bench AskLoad [--rate 1000] [--sustain 5000] [--duration 60] [--connections
 * 64] [--json target/askload.json]}
 */
public final class AskLoad {
    private static final Duration WARMUP = Duration.ofSeconds(5);
    private static final Duration PEAK = Duration.ofSeconds(10);
    private static final Duration STACK_WARMUP = Duration.ofSeconds(30);
    private static final int WARMUP_RATE = 300;
    private static final int RECORD_SIZE = 300;
    /** One bucket line of {@code ask_stage_seconds}: stage, upper bound, cumulative count. */
    private static final Pattern STAGE_BUCKET =
            Pattern.compile("^ask_stage_seconds_bucket\\{.*stage=\"([^\"]+)\".*le=\"([^\"]+)\".*\\} (\\S+)$");

    private AskLoad() {}

    record Options(int rate, int sustain, Duration duration, int connections, Path json, String heap, String profile) {
        static Options parse(String[] args) {
            Map<String, String> given = new LinkedHashMap<>();
            for (int i = 0; i < args.length; i += 2) {
                if (!args[i].startsWith("--") || i + 1 >= args.length) {
                    throw new IllegalArgumentException("usage: AskLoad [--rate N] [--sustain N] [--duration SECONDS]"
                            + " [--connections N] [--json FILE] [--heap SIZE] [--profile FILE.jfr]");
                }
                given.put(args[i].substring(2), args[i + 1]);
            }
            return new Options(
                    Integer.parseInt(given.getOrDefault("rate", "1000")),
                    Integer.parseInt(given.getOrDefault("sustain", "5000")),
                    Duration.ofSeconds(Long.parseLong(given.getOrDefault("duration", "60"))),
                    Integer.parseInt(given.getOrDefault("connections", "64")),
                    Path.of(given.getOrDefault("json", "target/askload.json")),
                    given.getOrDefault("heap", "1g"),
                    given.get("profile"));
        }
    }

    public static void main(String[] args) throws Exception {
        Options options = Options.parse(args);
        Map<String, Object> report = new LinkedHashMap<>();
        report.put("started_at", Instant.now().toString());
        report.put("machine", machine());
        report.put(
                "options",
                Map.of(
                        "rate", options.rate(),
                        "sustain", options.sustain(),
                        "duration_s", options.duration().toSeconds(),
                        "connections", options.connections(),
                        "stack_heap", options.heap()));
        List<String[]> table = new ArrayList<>();
        Vertx vertx = Vertx.vertx();
        say("starting the all-in-one stack (broker, PostgreSQL, services) on fresh data");
        Map<String, String> env = Map.of("DRYRUN_LATENCY_MS", "0");
        List<String> jvmOptions = options.profile() == null
                ? List.of()
                : List.of("-XX:StartFlightRecording=settings=profile,dumponexit=true,filename="
                        + Path.of(options.profile()).toAbsolutePath());
        try (StackProcess stack = StackProcess.start(env, options.heap(), jvmOptions);
                MemorySampler memory = new MemorySampler(stack)) {
            URI base = URI.create(stack.baseUrl);

            // 0. the stack's JVM compiles its hot paths before anything is measured
            String warmupRun = "warmup-" + shortId();
            HttpLoad.Run warmup;
            try (HttpLoad load = new HttpLoad(vertx, base, stack.apiKey, options.connections())) {
                say("warm-up: " + WARMUP_RATE + " asks/s for " + STACK_WARMUP.toSeconds() + " s, not counted");
                warmup = load.openLoop(warmupRun, WARMUP_RATE, Duration.ZERO, STACK_WARMUP, true);
            }
            awaitTerminal(stack, warmupRun, warmup, Duration.ofMinutes(3));

            // 1. peak throughput of the ingest API and of a hello-world endpoint of the same server
            say("hello-world baseline: " + options.connections() + " requests in flight for " + PEAK.toSeconds()
                    + " s");
            HttpLoad.Run hello;
            int helloPort = FreePorts.next();
            Process helloServer = child(HelloServer.class.getName(), String.valueOf(helloPort));
            try (HttpLoad load = new HttpLoad(vertx, URI.create("http://127.0.0.1:" + helloPort), null, 64)) {
                awaitLine(helloServer, "listening");
                hello = load.closedLoop("hello", "/hello", options.connections(), Duration.ofSeconds(2), PEAK);
            } finally {
                helloServer.destroyForcibly().waitFor();
            }
            HttpLoad.Run peak;
            String peakRun = "peak-" + shortId();
            try (HttpLoad load = new HttpLoad(vertx, base, stack.apiKey, options.connections())) {
                say("ingest peak: " + options.connections() + " asks in flight for " + PEAK.toSeconds() + " s");
                peak = load.closedLoop(peakRun, "/v1/ask", options.connections(), Duration.ofSeconds(2), PEAK);
            }
            double helloRate = hello.submit.getTotalCount() / hello.seconds();
            double peakRate = peak.submit.getTotalCount() / peak.seconds();
            awaitTerminal(stack, peakRun, peak, Duration.ofMinutes(3));
            report.put("hello_peak", closedSummary(hello));
            report.put("ingest_peak", closedSummary(peak));
            table.add(row(
                    "ingest `POST /v1/ask` peak (" + options.connections() + " in flight)",
                    String.format("%.0f req/s, p99 %s", peakRate, HttpLoad.ms(peak.submit, 99)),
                    String.format("hello world %.0f req/s, p99 %s", helloRate, HttpLoad.ms(hello.submit, 99)),
                    ratio(peakRate, helloRate),
                    ">= 0.5x"));

            // 2. submit latency at half of the peak, open loop
            int half = Math.max(1, (int) (peakRate / 2));
            String halfRun = "half-" + shortId();
            HttpLoad.Run atHalf;
            List<String> ingestStages = List.of("ingest_claim", "ingest_publish", "ingest_mark");
            Map<String, Map<Double, Double>> stagesBefore = stageBuckets(stack);
            try (HttpLoad load = new HttpLoad(vertx, base, stack.apiKey, options.connections())) {
                say("ingest at half its peak: " + half + " asks/s for "
                        + options.duration().toSeconds() + " s");
                atHalf = load.openLoop(halfRun, half, WARMUP, options.duration(), false);
            }
            Map<String, Map<Double, Double>> stagesAfter = stageBuckets(stack);
            List<String> stageBounds = new ArrayList<>();
            Map<String, Object> stagesReport = new LinkedHashMap<>();
            for (String stage : ingestStages) {
                Map<Double, Double> buckets = minus(stagesAfter, stagesBefore, stage);
                stagesReport.put(stage, buckets);
                stageBounds.add(String.format(
                        "%s p50 <= %s ms, p99 <= %s ms",
                        stage.substring("ingest_".length()),
                        bucketBound(buckets, 0.5) * 1000,
                        bucketBound(buckets, 0.99) * 1000));
            }
            awaitTerminal(stack, halfRun, atHalf, Duration.ofMinutes(5));
            Map<String, Object> halfSummary = openSummary(atHalf, half);
            halfSummary.put("ingest_stage_buckets", stagesReport);
            report.put("ingest_half_peak", halfSummary);
            table.add(row(
                    "ingest submit latency at half the peak (" + half + " asks/s)",
                    percentiles(atHalf.submit),
                    "",
                    "",
                    "p99 <= 5 ms"));
            table.add(row(
                    "ingest's stages in that phase (ledger claim, Kafka publish, ledger mark)",
                    String.join("; ", stageBounds),
                    "",
                    "",
                    ""));

            // 3. submit to result visible, at --rate, long-polled
            String latencyRun = "latency-" + shortId();
            HttpLoad.Run latency;
            Map<String, Map<Double, Double>> workerBefore = stageBuckets(stack);
            try (HttpLoad load = new HttpLoad(vertx, base, stack.apiKey, options.connections() * 4)) {
                say("submit to result: " + options.rate() + " asks/s for "
                        + options.duration().toSeconds() + " s, each long-polled");
                latency = load.openLoop(latencyRun, options.rate(), WARMUP, options.duration(), true);
            }
            report.put("submit_to_result", openSummary(latency, options.rate()));
            Map<Double, Double> worker = minus(stageBuckets(stack), workerBefore, "worker");
            double withinOneMs = worker.getOrDefault(0.001, 0.0) / worker.get(Double.POSITIVE_INFINITY);
            report.put("router_worker_stage", Map.of("buckets", worker, "share_within_1ms", withinOneMs));
            table.add(row(
                    "router overhead at " + options.rate() + " asks/s (fetched to result acknowledged, dryrun 0 ms)",
                    String.format(
                            "p99 <= %s ms; %.2f %% within 1 ms", bucketBound(worker, 0.99) * 1000, withinOneMs * 100),
                    "",
                    "",
                    "p99 <= 1 ms"));

            // 4. completed asks per second, open loop at --sustain
            String sustainRun = "sustain-" + shortId();
            HttpLoad.Run sustained;
            Duration jvmCpuBefore = stack.jvmCpu();
            Duration databaseCpuBefore = stack.databaseCpu();
            try (HttpLoad load = new HttpLoad(vertx, base, stack.apiKey, options.connections())) {
                say("completed asks: " + options.sustain() + " asks/s for "
                        + options.duration().toSeconds() + " s");
                sustained = load.openLoop(sustainRun, options.sustain(), WARMUP, options.duration(), false);
            }
            Completion completion = awaitTerminal(stack, sustainRun, sustained, Duration.ofMinutes(10));
            // the work each ask costs, whatever the rate: CPU from the phase's first ask to its last row
            double jvmCpuPerAsk = stack.jvmCpu().minus(jvmCpuBefore).toNanos() / 1e6 / completion.asks();
            double databaseCpuPerAsk =
                    stack.databaseCpu().minus(databaseCpuBefore).toNanos() / 1e6 / completion.asks();
            report.put("sustain_submit", openSummary(sustained, options.sustain()));
            report.put("sustain_completion", completion.asMap());
            report.put("cpu_ms_per_completed_ask", Map.of("stack_jvm", jvmCpuPerAsk, "postgresql", databaseCpuPerAsk));
            long jvmPeak = memory.jvmPeak.get();
            long totalPeak = memory.totalPeak.get();
            memory.close();

            // 5. the broker's and the database's own ceilings, on the same broker and database
            say("Kafka ProducerPerformance and EndToEndLatency on the stack's broker");
            Map<String, Object> producer = producerPerformance(stack);
            Map<String, Object> endToEnd = endToEndLatency(stack);
            say("plain JDBC batched upserts on the stack's PostgreSQL");
            Map<String, Object> jdbc = jdbcUpserts(stack);
            report.put("kafka_producer_performance", producer);
            report.put("kafka_end_to_end_latency", endToEnd);
            report.put("jdbc_batched_upsert", jdbc);

            table.add(row(
                    "submit to result visible at " + options.rate() + " asks/s",
                    percentiles(latency.result),
                    String.format(
                            "Kafka end-to-end avg %.2f ms, p99 %s ms", endToEnd.get("avg_ms"), endToEnd.get("p99_ms")),
                    ratio(
                                    latency.result.getValueAtPercentile(50) / 1000.0,
                                    ((Number) endToEnd.get("avg_ms")).doubleValue())
                            + " (p50 / avg)",
                    "p50 <= 10 ms, p99 <= 50 ms"));
            table.add(row(
                    "completed asks/s, " + options.sustain() + " asks/s offered for "
                            + options.duration().toSeconds() + " s",
                    String.format(
                            "%.0f asks/s (last row %.1f s after the last submit)",
                            completion.rate(), completion.lagSeconds()),
                    String.format(
                            "Kafka producer %.0f records/s; JDBC upsert %.0f rows/s",
                            (Double) producer.get("records_per_s"), (Double) jdbc.get("rows_per_s")),
                    ratio(completion.rate(), (Double) producer.get("records_per_s")) + " / "
                            + ratio(completion.rate(), (Double) jdbc.get("rows_per_s")),
                    ">= 5,000 asks/s"));
            table.add(row(
                    "CPU per completed ask (the completed-asks phase), stack JVM / PostgreSQL",
                    String.format("%.2f ms / %.2f ms", jvmCpuPerAsk, databaseCpuPerAsk),
                    "",
                    "",
                    String.format(
                            "5,000 asks/s on %d cores leave %.2f ms in all",
                            Runtime.getRuntime().availableProcessors(),
                            1000.0 * Runtime.getRuntime().availableProcessors() / 5000)));
            table.add(row(
                    "memory (proportional set size), stack JVM / with PostgreSQL (peak)",
                    mib(jvmPeak) + " / " + mib(totalPeak),
                    "",
                    "",
                    "<= 1.5 GB with broker and database"));
            report.put("memory", Map.of("stack_jvm_peak_bytes", jvmPeak, "stack_total_peak_bytes", totalPeak));
        } finally {
            vertx.close().await();
        }
        System.out.println();
        System.out.println("| measure | askpipe | baseline (same run) | ratio | target |");
        System.out.println("|---|---|---|---|---|");
        for (String[] r : table) {
            System.out.println("| " + String.join(" | ", r) + " |");
        }
        Path json = options.json().toAbsolutePath();
        Files.createDirectories(json.getParent());
        Json.mapper().writerWithDefaultPrettyPrinter().writeValue(json.toFile(), report);
        System.out.println();
        System.out.println("the same figures, and more, in " + json);
    }

    /** How the asks of one run reached their rows. */
    record Completion(long asks, double rate, double lagSeconds, double p50Ms, double p99Ms) {
        Map<String, Object> asMap() {
            return Map.of(
                    "asks", asks,
                    "completed_per_s", rate,
                    "last_row_after_last_accept_s", lagSeconds,
                    "accepted_to_stored_p50_ms", p50Ms,
                    "accepted_to_stored_p99_ms", p99Ms);
        }
    }

    /**
     * Waits until every ask of {@code run} that {@code load} saw accepted has a terminal row (an
     * accepted ask may have no row yet at all); then the rate at which they got there (from the
     * first acceptance to the last row) and accepted-to-stored percentiles, by the database's clock.
     */
    private static Completion awaitTerminal(StackProcess stack, String run, HttpLoad.Run load, Duration atMost)
            throws Exception {
        String pattern = run + "-%";
        long accepted = load.accepted.get();
        long deadline = System.nanoTime() + atMost.toNanos();
        try (Connection db = DriverManager.getConnection(stack.jdbcUrl, "postgres", "postgres")) {
            long terminal;
            while ((terminal = queryLong(
                            db,
                            "SELECT count(*) FROM store.asks WHERE idempotency_key LIKE ?"
                                    + " AND status IN ('succeeded', 'failed')",
                            pattern))
                    < accepted) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException((accepted - terminal) + " of " + accepted + " asks of " + run
                            + " not terminal after " + atMost);
                }
                Thread.sleep(500);
            }
            try (PreparedStatement query = db.prepareStatement("SELECT count(*),"
                    + " extract(epoch FROM max(updated_at) - min(accepted_at)),"
                    + " extract(epoch FROM max(updated_at) - max(accepted_at)),"
                    + " percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM updated_at - accepted_at)),"
                    + " percentile_cont(0.99) WITHIN GROUP (ORDER BY extract(epoch FROM updated_at - accepted_at))"
                    + " FROM store.asks WHERE idempotency_key LIKE ?")) {
                query.setString(1, pattern);
                try (ResultSet rows = query.executeQuery()) {
                    rows.next();
                    long asks = rows.getLong(1);
                    return new Completion(
                            asks,
                            asks / rows.getDouble(2),
                            rows.getDouble(3),
                            rows.getDouble(4) * 1000,
                            rows.getDouble(5) * 1000);
                }
            }
        }
    }

    /**
     * The cumulative buckets of every {@code ask_stage_seconds{stage=...}} on the stack's {@code
     * /metrics} (its operations port), read once: by stage, upper bound in seconds to count.
     */
    private static Map<String, Map<Double, Double>> stageBuckets(StackProcess stack) throws Exception {
        HttpClient http =
                HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        String body = http.send(
                        HttpRequest.newBuilder(URI.create(stack.opsUrl + "/metrics"))
                                .build(),
                        HttpResponse.BodyHandlers.ofString())
                .body();
        Map<String, Map<Double, Double>> stages = new TreeMap<>();
        body.lines()
                .map(STAGE_BUCKET::matcher)
                .filter(Matcher::matches)
                .forEach(m -> stages.computeIfAbsent(m.group(1), stage -> new TreeMap<>())
                        .merge(
                                m.group(2).equals("+Inf") ? Double.POSITIVE_INFINITY : Double.parseDouble(m.group(2)),
                                Double.parseDouble(m.group(3)),
                                Double::sum));
        return stages;
    }

    /** What {@code stage}'s buckets gained between two readings of {@link #stageBuckets}. */
    private static Map<Double, Double> minus(
            Map<String, Map<Double, Double>> after, Map<String, Map<Double, Double>> before, String stage) {
        Map<Double, Double> earlier = before.getOrDefault(stage, Map.of());
        Map<Double, Double> delta = new TreeMap<>();
        after.getOrDefault(stage, Map.of())
                .forEach((le, count) -> delta.put(le, count - earlier.getOrDefault(le, 0.0)));
        return delta;
    }

    /** The smallest bucket bound that holds {@code quantile} of the observations. */
    private static double bucketBound(Map<Double, Double> buckets, double quantile) {
        double total = buckets.get(Double.POSITIVE_INFINITY);
        for (var bucket : buckets.entrySet()) {
            if (bucket.getValue() >= quantile * total) {
                return bucket.getKey();
            }
        }
        return Double.POSITIVE_INFINITY;
    }

    private static long queryLong(Connection db, String sql, String parameter) throws SQLException {
        try (PreparedStatement query = db.prepareStatement(sql)) {
            query.setString(1, parameter);
            try (ResultSet rows = query.executeQuery()) {
                rows.next();
                return rows.getLong(1);
            }
        }
    }

    /** Kafka's own producer benchmark with the ingest producer's settings, on a topic like ask.requests. */
    private static Map<String, Object> producerPerformance(StackProcess stack) throws Exception {
        String topic = "bench.producer-performance";
        createTopic(stack, topic);
        int records = 500_000;
        String out = runTool(
                "org.apache.kafka.tools.ProducerPerformance",
                "--topic",
                topic,
                "--num-records",
                String.valueOf(records),
                "--record-size",
                String.valueOf(RECORD_SIZE),
                "--throughput",
                "-1",
                "--producer-props",
                "bootstrap.servers=" + stack.bootstrapServers,
                "acks=all",
                "enable.idempotence=true",
                "linger.ms=1",
                "compression.type=lz4");
        Matcher last = Pattern.compile("(\\d+) records sent, ([\\d.]+) records/sec .*?([\\d.]+) ms avg latency,"
                        + " ([\\d.]+) ms max latency, (\\d+) ms 50th, (\\d+) ms 95th, (\\d+) ms 99th")
                .matcher(out);
        Map<String, Object> result = new LinkedHashMap<>();
        if (!last.find()) {
            throw new IllegalStateException("ProducerPerformance said:\n" + out);
        }
        result.put("records", Long.parseLong(last.group(1)));
        result.put("record_size", RECORD_SIZE);
        result.put("records_per_s", Double.parseDouble(last.group(2)));
        result.put("avg_latency_ms", Double.parseDouble(last.group(3)));
        result.put("p50_ms", Integer.parseInt(last.group(5)));
        result.put("p99_ms", Integer.parseInt(last.group(7)));
        return result;
    }

    /** Kafka's own produce-to-consume latency, one record at a time, acks=all. */
    private static Map<String, Object> endToEndLatency(StackProcess stack) throws Exception {
        String topic = "bench.end-to-end-latency";
        createTopic(stack, topic);
        String out = runTool(
                "org.apache.kafka.tools.EndToEndLatency",
                "--bootstrap-server",
                stack.bootstrapServers,
                "--topic",
                topic,
                "--num-records",
                "5000",
                "--producer-acks",
                "all",
                "--record-size",
                String.valueOf(RECORD_SIZE));
        Matcher avg = Pattern.compile("Avg latency: ([\\d.]+) ms").matcher(out);
        Matcher percentiles = Pattern.compile("50th = (\\d+), 99th = (\\d+)").matcher(out);
        if (!avg.find() || !percentiles.find()) {
            throw new IllegalStateException("EndToEndLatency said:\n" + out);
        }
        Map<String, Object> result = new LinkedHashMap<>();
        result.put("records", 5000);
        result.put("avg_ms", Double.parseDouble(avg.group(1)));
        result.put("p50_ms", Integer.parseInt(percentiles.group(1)));
        result.put("p99_ms", Integer.parseInt(percentiles.group(2)));
        return result;
    }

    private static void createTopic(StackProcess stack, String topic) throws Exception {
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", stack.bootstrapServers))) {
            int partitions = admin.describeTopics(List.of("ask.requests"))
                    .allTopicNames()
                    .get(30, TimeUnit.SECONDS)
                    .get("ask.requests")
                    .partitions()
                    .size();
            admin.createTopics(List.of(new NewTopic(topic, partitions, (short) 1)))
                    .all()
                    .get(30, TimeUnit.SECONDS);
        }
    }

    /**
     * The database's own ceiling for what the result store does per batch: multi-row upserts of
     * rows like {@code store.asks}'s, 500 per transaction (the writer's batch), by plain JDBC.
     */
    private static Map<String, Object> jdbcUpserts(StackProcess stack) throws SQLException {
        int rows = 200_000;
        int batch = 500;
        String answer = "x".repeat(200);
        try (Connection db = DriverManager.getConnection(
                stack.adminJdbcUrl + "?reWriteBatchedInserts=true", "postgres", "postgres")) {
            try (Statement ddl = db.createStatement()) {
                ddl.execute("DROP TABLE IF EXISTS bench_upsert");
                ddl.execute("CREATE TABLE bench_upsert (request_id varchar(36) PRIMARY KEY, status varchar(16)"
                        + " NOT NULL, answer text, accepted_at timestamptz NOT NULL, updated_at timestamptz NOT NULL)");
            }
            db.setAutoCommit(false);
            long started = System.nanoTime();
            try (PreparedStatement upsert = db.prepareStatement("INSERT INTO bench_upsert"
                    + " (request_id, status, answer, accepted_at, updated_at) VALUES (?, ?, ?, now(), now())"
                    + " ON CONFLICT (request_id) DO UPDATE SET status = excluded.status, answer = excluded.answer,"
                    + " updated_at = excluded.updated_at")) {
                for (int i = 0; i < rows; i++) {
                    upsert.setString(1, UUID.randomUUID().toString());
                    upsert.setString(2, "succeeded");
                    upsert.setString(3, answer);
                    upsert.addBatch();
                    if ((i + 1) % batch == 0) {
                        upsert.executeBatch();
                        db.commit();
                    }
                }
            }
            double seconds = (System.nanoTime() - started) / 1e9;
            try (Statement ddl = db.createStatement()) {
                ddl.execute("DROP TABLE bench_upsert");
            }
            db.commit();
            Map<String, Object> result = new LinkedHashMap<>();
            result.put("rows", rows);
            result.put("batch", batch);
            result.put("rows_per_s", rows / seconds);
            return result;
        }
    }

    private static String runTool(String mainClass, String... args) throws IOException, InterruptedException {
        Process process = child(mainClass, args);
        String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (process.waitFor() != 0) {
            throw new IllegalStateException(mainClass + " failed:\n" + out);
        }
        return out;
    }

    private static Process child(String mainClass, String... args) throws IOException {
        return new ProcessBuilder(ChildJvm.command(List.of("-Xmx512m"), mainClass, args))
                .redirectErrorStream(true)
                .start();
    }

    private static void awaitLine(Process process, String text) throws IOException {
        BufferedReader reader =
                new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
        String line;
        while ((line = reader.readLine()) != null) {
            if (line.contains(text)) {
                Thread.ofVirtual().start(() -> reader.lines().forEach(l -> {})); // keep its pipe drained
                return;
            }
        }
        throw new IllegalStateException("the process ended before saying '" + text + "'");
    }

    /** Samples the stack's memory every half second, keeping the peaks. */
    private static final class MemorySampler implements AutoCloseable {
        final AtomicLong jvmPeak = new AtomicLong();
        final AtomicLong totalPeak = new AtomicLong();
        private final AtomicBoolean running = new AtomicBoolean(true);
        private final Thread thread;

        MemorySampler(StackProcess stack) {
            thread = Thread.ofPlatform().daemon().name("memory-sampler").start(() -> {
                while (running.get()) {
                    jvmPeak.accumulateAndGet(stack.jvmMemory(), Math::max);
                    totalPeak.accumulateAndGet(stack.totalMemory(), Math::max);
                    try {
                        Thread.sleep(500);
                    } catch (InterruptedException e) {
                        return;
                    }
                }
            });
        }

        @Override
        public void close() {
            running.set(false);
            thread.interrupt();
        }
    }

    private static Map<String, Object> closedSummary(HttpLoad.Run run) {
        Map<String, Object> summary = new LinkedHashMap<>();
        summary.put("requests", run.submit.getTotalCount());
        summary.put("seconds", run.seconds());
        summary.put("per_s", run.submit.getTotalCount() / run.seconds());
        summary.put("latency_ms", percentileMap(run.submit));
        summary.put("errors", run.errorsByKind());
        return summary;
    }

    private static Map<String, Object> openSummary(HttpLoad.Run run, int rate) {
        Map<String, Object> summary = new LinkedHashMap<>();
        summary.put("rate_per_s", rate);
        summary.put("sent", run.sent.get());
        summary.put("accepted", run.accepted.get());
        summary.put("submit_latency_ms", percentileMap(run.submit));
        if (run.result.getTotalCount() > 0) {
            summary.put("submit_to_result_ms", percentileMap(run.result));
        }
        summary.put("errors", run.errorsByKind());
        return summary;
    }

    private static Map<String, Object> percentileMap(Histogram histogram) {
        Map<String, Object> p = new LinkedHashMap<>();
        p.put("count", histogram.getTotalCount());
        for (double q : new double[] {50, 90, 99, 99.9}) {
            p.put("p" + (q == 99.9 ? "99.9" : String.valueOf((int) q)), histogram.getValueAtPercentile(q) / 1000.0);
        }
        p.put("max", histogram.getMaxValue() / 1000.0);
        return p;
    }

    private static String percentiles(Histogram histogram) {
        return "p50 " + HttpLoad.ms(histogram, 50) + ", p90 " + HttpLoad.ms(histogram, 90) + ", p99 "
                + HttpLoad.ms(histogram, 99) + ", max " + String.format("%.2f ms", histogram.getMaxValue() / 1000.0);
    }

    private static String[] row(String... cells) {
        return cells;
    }

    private static String ratio(double value, double baseline) {
        if (baseline <= 0) {
            return "-";
        }
        double ratio = value / baseline;
        return String.format(ratio < 0.1 ? "%.3fx" : "%.2fx", ratio);
    }

    private static String mib(long bytes) {
        return String.format("%d MiB", bytes / (1024 * 1024));
    }

    private static String shortId() {
        return UUID.randomUUID().toString().substring(0, 8);
    }

    private static Map<String, Object> machine() {
        Map<String, Object> machine = new LinkedHashMap<>();
        machine.put("cores", Runtime.getRuntime().availableProcessors());
        machine.put("os", System.getProperty("os.name") + " " + System.getProperty("os.version"));
        machine.put("java", System.getProperty("java.vm.name") + " " + System.getProperty("java.version"));
        try {
            machine.put(
                    "cpu",
                    Files.readAllLines(Path.of("/proc/cpuinfo")).stream()
                            .filter(l -> l.startsWith("model name"))
                            .findFirst()
                            .map(l -> l.substring(l.indexOf(':') + 1).strip())
                            .orElse("unknown"));
        } catch (IOException e) {
            machine.put("cpu", "unknown");
        }
        return machine;
    }

    private static void say(String line) {
        System.out.println("== " + line);
    }
}
