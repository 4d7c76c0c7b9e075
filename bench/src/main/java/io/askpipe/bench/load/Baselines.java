package io.askpipe.bench.load;

import io.askpipe.bench.load.AskLoadResult.EndToEndBaseline;
import io.askpipe.bench.load.AskLoadResult.JdbcBaseline;
import io.askpipe.bench.load.AskLoadResult.ProducerBaseline;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;

/**
 * The broker's and the database's own ceilings, measured on the stack's broker and PostgreSQL in
 * the same run: Kafka's {@code ProducerPerformance} and {@code EndToEndLatency}, and a plain JDBC
 * loop of batched upserts.
 */
final class Baselines {
    /** Records like an ask's on {@code ask.requests}. */
    static final int RECORD_SIZE = 300;

    private static final Pattern PRODUCER_SUMMARY =
            Pattern.compile("(\\d+) records sent, ([\\d.]+) records/sec .*?([\\d.]+) ms avg latency,"
                    + " ([\\d.]+) ms max latency, (\\d+) ms 50th, (\\d+) ms 95th, (\\d+) ms 99th");
    private static final Pattern END_TO_END_AVG = Pattern.compile("Avg latency: ([\\d.]+) ms");
    private static final Pattern END_TO_END_PERCENTILES = Pattern.compile("50th = (\\d+), 99th = (\\d+)");

    private Baselines() {}

    /** Kafka's own producer benchmark with the ingest producer's settings, on a topic like ask.requests. */
    static ProducerBaseline producerPerformance(StackProcess stack) throws Exception {
        String topic = "bench.producer-performance";
        createTopic(stack, topic);
        return producerSummary(ChildProcesses.run(
                stack.placement(),
                "org.apache.kafka.tools.ProducerPerformance",
                "--topic",
                topic,
                "--num-records",
                String.valueOf(500_000),
                "--record-size",
                String.valueOf(RECORD_SIZE),
                "--throughput",
                "-1",
                "--producer-props",
                "bootstrap.servers=" + stack.bootstrapServers,
                "acks=all",
                "enable.idempotence=true",
                "linger.ms=1",
                "compression.type=lz4"));
    }

    /** The summary line of {@code ProducerPerformance}'s output. */
    static ProducerBaseline producerSummary(String out) {
        Matcher last = PRODUCER_SUMMARY.matcher(out);
        if (!last.find()) {
            throw new IllegalStateException("ProducerPerformance said:\n" + out);
        }
        return new ProducerBaseline(
                Long.parseLong(last.group(1)),
                RECORD_SIZE,
                Double.parseDouble(last.group(2)),
                Double.parseDouble(last.group(3)),
                Integer.parseInt(last.group(5)),
                Integer.parseInt(last.group(7)));
    }

    /** Kafka's own produce-to-consume latency, one record at a time, acks=all. */
    static EndToEndBaseline endToEndLatency(StackProcess stack) throws Exception {
        String topic = "bench.end-to-end-latency";
        createTopic(stack, topic);
        return endToEndSummary(ChildProcesses.run(
                stack.placement(),
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
                String.valueOf(RECORD_SIZE)));
    }

    /** The average and percentiles of {@code EndToEndLatency}'s output (5,000 records). */
    static EndToEndBaseline endToEndSummary(String out) {
        Matcher avg = END_TO_END_AVG.matcher(out);
        Matcher percentiles = END_TO_END_PERCENTILES.matcher(out);
        if (!avg.find() || !percentiles.find()) {
            throw new IllegalStateException("EndToEndLatency said:\n" + out);
        }
        return new EndToEndBaseline(
                5000,
                Double.parseDouble(avg.group(1)),
                Integer.parseInt(percentiles.group(1)),
                Integer.parseInt(percentiles.group(2)));
    }

    /** A topic with as many partitions as {@code ask.requests}. */
    private static void createTopic(StackProcess stack, String topic) throws Exception {
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, stack.bootstrapServers))) {
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
    static JdbcBaseline jdbcUpserts(StackProcess stack) throws SQLException {
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
            return new JdbcBaseline(rows, batch, rows / seconds);
        }
    }
}
