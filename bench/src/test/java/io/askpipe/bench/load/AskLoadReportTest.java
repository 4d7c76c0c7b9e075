package io.askpipe.bench.load;

import static org.assertj.core.api.Assertions.assertThat;

import io.askpipe.bench.load.AskLoadResult.Completion;
import io.askpipe.bench.load.AskLoadResult.DurableBaseline;
import io.askpipe.bench.load.AskLoadResult.EndToEndBaseline;
import io.askpipe.bench.load.AskLoadResult.HalfPeak;
import io.askpipe.bench.load.AskLoadResult.IngestPeak;
import io.askpipe.bench.load.AskLoadResult.JdbcBaseline;
import io.askpipe.bench.load.AskLoadResult.KafkaBaselines;
import io.askpipe.bench.load.AskLoadResult.Machine;
import io.askpipe.bench.load.AskLoadResult.Memory;
import io.askpipe.bench.load.AskLoadResult.ProducerBaseline;
import io.askpipe.bench.load.AskLoadResult.SubmitToResult;
import io.askpipe.bench.load.AskLoadResult.Sustained;
import io.askpipe.schemas.Json;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.OptionalDouble;
import java.util.OptionalLong;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/** The summary table's rows and the JSON file's keys, as docs/benchmarks.md quotes them. */
class AskLoadReportTest {
    private static final double INF = Double.POSITIVE_INFINITY;

    @Test
    void theTableHasARowPerMeasureWithItsBaselineRatioAndTarget() {
        assertThat(AskLoadReport.table(result())).isEqualTo("""
                        | measure | askpipe | baseline (same run) | ratio | target |
                        |---|---|---|---|---|
                        | submit to result visible at 10 asks/s on an otherwise idle stack (20 s) | p50 8.00 ms, p90 8.00 ms, p99 8.00 ms, max 8.00 ms | Kafka end-to-end avg 2.00 ms, p99 5 ms | 4.00x (p50 / avg) | p50 <= 10 ms |
                        | ingest `POST /v1/ask` peak (64 in flight) | 100 req/s, p99 2.00 ms | hello world 200 req/s, p99 1.00 ms | 0.50x | >= 0.25x |
                        | ingest `POST /v1/ask` peak (64 in flight) against the same durable work without HTTP (ledger claim, `acks=all` publish, ledger mark) | 100 req/s, p50 2.00 ms, p99 2.00 ms | durable work 400 asks/s, p50 1.50 ms, p99 4.25 ms | 0.25x | >= 0.5x |
                        | ingest submit latency at half the peak (50 asks/s) | p50 1.00 ms, p90 1.00 ms, p99 1.00 ms, max 1.00 ms |  |  | p99 <= 5 ms |
                        | ingest's stages in that phase (ledger claim, Kafka publish, ledger mark) | claim p50 <= 1.0 ms, p99 <= 2.0 ms; publish p50 <= 5.0 ms, p99 <= 10.0 ms; mark p50 <= 250.0 ms, p99 <= 250.0 ms |  |  |  |
                        | router overhead at 1000 asks/s (fetched to result acknowledged, dryrun 0 ms) | p99 <= 250.0 ms; 25.00 % within 1 ms |  |  | p99 <= 1 ms |
                        | submit to result visible at 1000 asks/s | p50 4.00 ms, p90 4.00 ms, p99 4.00 ms, max 4.00 ms | Kafka end-to-end avg 2.00 ms, p99 5 ms | 2.00x (p50 / avg) | p50 <= 10 ms, p99 <= 50 ms |
                        | completed asks/s, 5000 asks/s offered for 60 s | 1000 asks/s (last row 1.5 s after the last submit) | Kafka producer 100000 records/s; JDBC upsert 50000 rows/s | 0.010x / 0.020x | >= 5,000 asks/s |
                        | CPU per completed ask (the completed-asks phase), stack JVM / PostgreSQL | 0.72 ms / 0.30 ms |  |  | 5,000 asks/s on 2 cores leave 0.40 ms in all |
                        | memory (proportional set size), stack JVM / with PostgreSQL (peak) | 1005 MiB / 1411 MiB |  |  | <= 1.5 GB with broker and database |
                        """);
    }

    @Test
    void aSplitCoreRunGivesCpuAndMemoryInThreeParts() {
        assertThat(AskLoadReport.table(splitResult()))
                .contains("| CPU per completed ask (the completed-asks phase), services JVM / broker JVM / PostgreSQL"
                        + " (split cores) | 0.72 ms / 0.25 ms / 0.30 ms |  |  |"
                        + " 5,000 asks/s on 2 cores leave 0.40 ms in all |\n")
                .contains("| memory (proportional set size), services JVM / broker JVM / all with PostgreSQL (peak)"
                        + " | 705 MiB / 300 MiB / 1411 MiB |  |  | <= 1.5 GB with broker and database |\n")
                .doesNotContain("stack JVM");
    }

    @Test
    void aSplitCoreRunsJsonKeepsTheBrokersPartApart() {
        Map<String, Object> json = AskLoadReport.json(splitResult());

        assertThat(section(json, "options")).containsEntry("split_cores", true);
        assertThat(section(json, "cpu_ms_per_completed_ask"))
                .containsOnlyKeys("stack_jvm", "broker_jvm", "postgresql")
                .containsEntry("broker_jvm", 0.25);
        assertThat(section(json, "memory"))
                .containsOnlyKeys("stack_jvm_peak_bytes", "broker_jvm_peak_bytes", "stack_total_peak_bytes")
                .containsEntry("broker_jvm_peak_bytes", 300L * 1024 * 1024);
    }

    @Test
    void theJsonFileKeepsEveryPhaseUnderItsKey() throws Exception {
        Map<String, Object> json = AskLoadReport.json(result());

        assertThat(json)
                .containsOnlyKeys(
                        "started_at",
                        "machine",
                        "options",
                        "idle_submit_to_result",
                        "hello_peak",
                        "ingest_peak",
                        "durable_work_peak",
                        "ingest_peak_ratios",
                        "ingest_half_peak",
                        "submit_to_result",
                        "router_worker_stage",
                        "sustain_submit",
                        "sustain_completion",
                        "cpu_ms_per_completed_ask",
                        "kafka_producer_performance",
                        "kafka_end_to_end_latency",
                        "jdbc_batched_upsert",
                        "memory");
        assertThat(json.keySet()).startsWith("started_at", "machine", "options").endsWith("memory");
        assertThat(json.get("options"))
                .isEqualTo(Map.of(
                        "rate",
                        1000,
                        "sustain",
                        5000,
                        "duration_s",
                        60L,
                        "connections",
                        64,
                        "stack_heap",
                        "1g",
                        "idle_rate",
                        10,
                        "split_cores",
                        false));
        assertThat(section(json, "idle_submit_to_result"))
                .containsOnlyKeys(
                        "rate_per_s",
                        "sent",
                        "accepted",
                        "submit_latency_ms",
                        "submit_to_result_ms",
                        "errors",
                        "duration_s")
                .containsEntry("rate_per_s", 10)
                .containsEntry("duration_s", 20L);
        assertThat(section(json, "durable_work_peak"))
                .containsOnlyKeys("in_flight", "asks", "seconds", "per_s", "latency_ms", "errors")
                .containsEntry("per_s", 400.0)
                .containsEntry("latency_ms", Map.of("p50", 1.5, "p99", 4.25, "max", 9.0));
        assertThat(section(json, "ingest_peak_ratios"))
                .isEqualTo(Map.of("ingest_over_hello", 0.5, "ingest_over_durable_work", 0.25));
        assertThat(section(json, "ingest_peak"))
                .containsOnlyKeys("requests", "seconds", "per_s", "latency_ms", "errors")
                .containsEntry("requests", 1000L)
                .containsEntry("per_s", 100.0);
        assertThat(section(json, "ingest_half_peak"))
                .containsOnlyKeys(
                        "rate_per_s", "sent", "accepted", "submit_latency_ms", "errors", "ingest_stage_buckets");
        assertThat(section(json, "submit_to_result"))
                .containsOnlyKeys(
                        "rate_per_s", "sent", "accepted", "submit_latency_ms", "submit_to_result_ms", "errors");
        assertThat(section(section(json, "submit_to_result"), "submit_to_result_ms"))
                .containsOnlyKeys("count", "p50", "p90", "p99", "p99.9", "max");
        assertThat(section(json, "router_worker_stage")).containsEntry("share_within_1ms", 0.25);
        assertThat(section(json, "sustain_completion"))
                .containsOnlyKeys(
                        "asks",
                        "completed_per_s",
                        "last_row_after_last_accept_s",
                        "accepted_to_stored_p50_ms",
                        "accepted_to_stored_p99_ms");
        assertThat(section(json, "cpu_ms_per_completed_ask")).containsOnlyKeys("stack_jvm", "postgresql");
        assertThat(section(json, "kafka_producer_performance"))
                .containsOnlyKeys("records", "record_size", "records_per_s", "avg_latency_ms", "p50_ms", "p99_ms")
                .containsEntry("p99_ms", 9);
        assertThat(section(json, "kafka_end_to_end_latency")).containsOnlyKeys("records", "avg_ms", "p50_ms", "p99_ms");
        assertThat(section(json, "jdbc_batched_upsert")).containsOnlyKeys("rows", "batch", "rows_per_s");
        assertThat(section(json, "memory")).containsOnlyKeys("stack_jvm_peak_bytes", "stack_total_peak_bytes");
        assertThat(Json.mapper().writeValueAsString(json)).contains("\"Infinity\":100.0");
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> section(Map<String, Object> json, String key) {
        return (Map<String, Object>) json.get(key);
    }

    private static AskLoadResult result() {
        return result(
                AskLoadOptions.parse(),
                OptionalDouble.empty(),
                new Memory(1005L * 1024 * 1024, 1411L * 1024 * 1024, OptionalLong.empty()));
    }

    /** The same run with the broker and PostgreSQL on a CPU of their own. */
    private static AskLoadResult splitResult() {
        return result(
                AskLoadOptions.parse("--split-cores"),
                OptionalDouble.of(0.25),
                new Memory(705L * 1024 * 1024, 1411L * 1024 * 1024, OptionalLong.of(300L * 1024 * 1024)));
    }

    private static AskLoadResult result(AskLoadOptions options, OptionalDouble brokerCpu, Memory memory) {
        Map<String, Map<Double, Double>> stages = new LinkedHashMap<>();
        stages.put("ingest_claim", buckets(0.001, 50, 0.002, 99, 0.005, 100, INF, 100));
        stages.put("ingest_publish", buckets(0.005, 60, 0.01, 100, INF, 100));
        stages.put("ingest_mark", buckets(0.25, 100, INF, 100));
        return new AskLoadResult(
                Instant.parse("2026-12-07T10:00:00Z"),
                new Machine(2, "Linux 6.1", "OpenJDK 64-Bit Server VM 25", "a CPU"),
                options,
                new SubmitToResult(
                        10,
                        Duration.ofSeconds(20),
                        withResults(run(200, 1_000, 20), 8_000),
                        buckets(0.001, 150, 0.25, 200, INF, 200)),
                new IngestPeak(
                        64,
                        run(2000, 1_000, 10),
                        run(1000, 2_000, 10),
                        new DurableBaseline(64, 4_000, 10.0, 1.5, 4.25, 9.0, Map.of())),
                new HalfPeak(50, run(500, 1_000, 10), stages),
                new SubmitToResult(
                        1000,
                        Duration.ofSeconds(60),
                        withResults(run(1000, 1_000, 1), 4_000),
                        buckets(0.001, 25, 0.25, 100, INF, 100)),
                new Sustained(
                        5000,
                        run(100, 1_000, 1),
                        new Completion(60_000, 1000.0, 1.5, 40.0, 900.0),
                        0.72,
                        0.3,
                        brokerCpu),
                memory,
                new KafkaBaselines(
                        new ProducerBaseline(500_000, 300, 100_000.0, 3.5, 2, 9),
                        new EndToEndBaseline(5000, 2.0, 1, 5)),
                new JdbcBaseline(200_000, 500, 50_000.0));
    }

    /** A run of {@code count} accepted asks, each answered in {@code micros}, over {@code seconds}. */
    private static HttpLoad.Run run(int count, long micros, int seconds) {
        HttpLoad.Run run = new HttpLoad.Run();
        for (int i = 0; i < count; i++) {
            run.sent.incrementAndGet();
            run.accepted.incrementAndGet();
            run.submit.recordValue(micros);
        }
        run.startedNanos = 0;
        run.endedNanos = seconds * 1_000_000_000L;
        return run;
    }

    private static HttpLoad.Run withResults(HttpLoad.Run run, long micros) {
        for (int i = 0; i < run.accepted.get(); i++) {
            run.answered.incrementAndGet();
            run.result.recordValue(micros);
        }
        return run;
    }

    private static Map<Double, Double> buckets(double... boundsAndCounts) {
        Map<Double, Double> buckets = new TreeMap<>();
        for (int i = 0; i < boundsAndCounts.length; i += 2) {
            buckets.put(boundsAndCounts[i], boundsAndCounts[i + 1]);
        }
        return buckets;
    }
}
