package io.askpipe.bench.load;

import io.askpipe.bench.load.AskLoadResult.Completion;
import io.askpipe.bench.load.AskLoadResult.DurableBaseline;
import io.askpipe.bench.load.AskLoadResult.EndToEndBaseline;
import io.askpipe.bench.load.AskLoadResult.IngestPeak;
import io.askpipe.bench.load.AskLoadResult.Memory;
import io.askpipe.bench.load.AskLoadResult.ProducerBaseline;
import io.askpipe.bench.load.AskLoadResult.SubmitToResult;
import io.askpipe.bench.load.AskLoadResult.Sustained;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalDouble;
import org.HdrHistogram.Histogram;

/**
 * The load generator's figures as a person reads them, a summary table of each measure beside its
 * same-run baseline and its target, and as the JSON file keeps them, with every percentile and
 * error count.
 */
public final class AskLoadReport {
    /** Ingest's stage timers, in the order a submit passes them. */
    static final List<String> INGEST_STAGES = List.of("ingest_claim", "ingest_publish", "ingest_mark");

    private AskLoadReport() {}

    /** One row of the summary table. */
    record Row(String measure, String askpipe, String baseline, String ratio, String target) {
        String markdown() {
            return "| " + String.join(" | ", measure, askpipe, baseline, ratio, target) + " |";
        }
    }

    /** The summary table in Markdown, as docs/benchmarks.md quotes it. */
    public static String table(AskLoadResult result) {
        StringBuilder table = new StringBuilder();
        table.append("| measure | askpipe | baseline (same run) | ratio | target |\n");
        table.append("|---|---|---|---|---|\n");
        for (Row row : rows(result)) {
            table.append(row.markdown()).append('\n');
        }
        return table.toString();
    }

    static List<Row> rows(AskLoadResult r) {
        int cores = r.machine().cores();
        List<Row> rows = new ArrayList<>();
        EndToEndBaseline endToEnd = r.kafka().endToEnd();

        SubmitToResult idle = r.idle();
        rows.add(new Row(
                LoadTarget.IDLE_SUBMIT_TO_RESULT.measure(
                        idle.rate(), idle.duration().toSeconds()),
                percentiles(idle.run().result),
                String.format("Kafka end-to-end avg %.2f ms, p99 %s ms", endToEnd.avgMs(), endToEnd.p99Ms()),
                ratio(idle.run().result.getValueAtPercentile(50) / 1000.0, endToEnd.avgMs()) + " (p50 / avg)",
                LoadTarget.IDLE_SUBMIT_TO_RESULT.threshold(cores)));

        IngestPeak peak = r.ingestPeak();
        rows.add(new Row(
                LoadTarget.INGEST_PEAK_HELLO.measure(peak.connections()),
                String.format("%.0f req/s, p99 %s", peak.ingestRate(), HttpLoad.ms(peak.ingest().submit, 99)),
                String.format("hello world %.0f req/s, p99 %s", peak.helloRate(), HttpLoad.ms(peak.hello().submit, 99)),
                ratio(peak.ingestOverHello()),
                LoadTarget.INGEST_PEAK_HELLO.threshold(cores)));
        DurableBaseline durable = peak.durable();
        rows.add(new Row(
                LoadTarget.INGEST_PEAK_DURABLE.measure(peak.connections()),
                String.format(
                        "%.0f req/s, p50 %s, p99 %s",
                        peak.ingestRate(),
                        HttpLoad.ms(peak.ingest().submit, 50),
                        HttpLoad.ms(peak.ingest().submit, 99)),
                String.format(
                        "durable work %.0f asks/s, p50 %.2f ms, p99 %.2f ms",
                        durable.rate(), durable.p50Ms(), durable.p99Ms()),
                ratio(peak.ingestOverDurable()),
                LoadTarget.INGEST_PEAK_DURABLE.threshold(cores)));

        var half = r.halfPeak();
        rows.add(new Row(
                LoadTarget.INGEST_SUBMIT_LATENCY.measure(half.rate()),
                percentiles(half.run().submit),
                "",
                "",
                LoadTarget.INGEST_SUBMIT_LATENCY.threshold(cores)));
        List<String> stageBounds = new ArrayList<>();
        for (var stage : half.stages().entrySet()) {
            stageBounds.add(String.format(
                    "%s p50 <= %s ms, p99 <= %s ms",
                    stage.getKey().substring("ingest_".length()),
                    StageBuckets.bound(stage.getValue(), 0.5) * 1000,
                    StageBuckets.bound(stage.getValue(), 0.99) * 1000));
        }
        rows.add(new Row(
                "ingest's stages in that phase (ledger claim, Kafka publish, ledger mark)",
                String.join("; ", stageBounds),
                "",
                "",
                ""));

        var latency = r.submitToResult();
        rows.add(new Row(
                LoadTarget.ROUTER_OVERHEAD.measure(latency.rate()),
                String.format(
                        "p99 <= %s ms; %.2f %% within 1 ms",
                        StageBuckets.bound(latency.workerStage(), 0.99) * 1000, latency.shareWithinOneMs() * 100),
                "",
                "",
                LoadTarget.ROUTER_OVERHEAD.threshold(cores)));

        rows.add(new Row(
                LoadTarget.SUBMIT_TO_RESULT.measure(latency.rate()),
                percentiles(latency.run().result),
                String.format("Kafka end-to-end avg %.2f ms, p99 %s ms", endToEnd.avgMs(), endToEnd.p99Ms()),
                ratio(latency.run().result.getValueAtPercentile(50) / 1000.0, endToEnd.avgMs()) + " (p50 / avg)",
                LoadTarget.SUBMIT_TO_RESULT.threshold(cores)));

        Sustained sustained = r.sustained();
        Completion completion = sustained.completion();
        ProducerBaseline producer = r.kafka().producer();
        rows.add(new Row(
                LoadTarget.COMPLETED_ASKS.measure(
                        sustained.rate(), r.options().duration().toSeconds()),
                String.format(
                        "%.0f asks/s (last row %.1f s after the last submit)",
                        completion.rate(), completion.lagSeconds()),
                String.format(
                        "Kafka producer %.0f records/s; JDBC upsert %.0f rows/s",
                        producer.recordsPerS(), r.jdbc().rowsPerS()),
                ratio(completion.rate(), producer.recordsPerS()) + " / "
                        + ratio(completion.rate(), r.jdbc().rowsPerS()),
                LoadTarget.COMPLETED_ASKS.threshold(cores)));
        OptionalDouble brokerCpu = sustained.brokerCpuMsPerAsk();
        rows.add(new Row(
                LoadTarget.CPU_PER_ASK.measure(
                        brokerCpu.isPresent()
                                ? "services JVM / broker JVM / PostgreSQL (split cores)"
                                : "stack JVM / PostgreSQL"),
                brokerCpu.isPresent()
                        ? String.format(
                                "%.2f ms / %.2f ms / %.2f ms",
                                sustained.jvmCpuMsPerAsk(), brokerCpu.getAsDouble(), sustained.databaseCpuMsPerAsk())
                        : String.format(
                                "%.2f ms / %.2f ms", sustained.jvmCpuMsPerAsk(), sustained.databaseCpuMsPerAsk()),
                "",
                "",
                LoadTarget.CPU_PER_ASK.threshold(cores)));
        Memory memory = r.memory();
        rows.add(new Row(
                LoadTarget.MEMORY.measure(
                        memory.brokerPeakBytes().isPresent()
                                ? "services JVM / broker JVM / all with PostgreSQL"
                                : "stack JVM / with PostgreSQL"),
                memory.brokerPeakBytes().isPresent()
                        ? mib(memory.jvmPeakBytes()) + " / "
                                + mib(memory.brokerPeakBytes().getAsLong()) + " / " + mib(memory.totalPeakBytes())
                        : mib(memory.jvmPeakBytes()) + " / " + mib(memory.totalPeakBytes()),
                "",
                "",
                LoadTarget.MEMORY.threshold(cores)));
        return rows;
    }

    /** The figures as the JSON file keeps them (snake_case keys). */
    public static Map<String, Object> json(AskLoadResult r) {
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("started_at", r.startedAt().toString());
        json.put(
                "machine",
                map(
                        "cores",
                        r.machine().cores(),
                        "os",
                        r.machine().os(),
                        "java",
                        r.machine().java(),
                        "cpu",
                        r.machine().cpu()));
        json.put(
                "options",
                map(
                        "rate", r.options().rate(),
                        "sustain", r.options().sustain(),
                        "duration_s", r.options().duration().toSeconds(),
                        "connections", r.options().connections(),
                        "stack_heap", r.options().heap(),
                        "idle_rate", r.options().idleRate(),
                        "split_cores", r.options().splitCores()));
        Map<String, Object> idle = openSummary(r.idle().run(), r.idle().rate());
        idle.put("duration_s", r.idle().duration().toSeconds());
        json.put("idle_submit_to_result", idle);
        IngestPeak peak = r.ingestPeak();
        json.put("hello_peak", closedSummary(peak.hello()));
        json.put("ingest_peak", closedSummary(peak.ingest()));
        DurableBaseline durable = peak.durable();
        json.put(
                "durable_work_peak",
                map(
                        "in_flight", durable.inFlight(),
                        "asks", durable.asks(),
                        "seconds", durable.seconds(),
                        "per_s", durable.rate(),
                        "latency_ms", map("p50", durable.p50Ms(), "p99", durable.p99Ms(), "max", durable.maxMs()),
                        "errors", durable.errors()));
        json.put(
                "ingest_peak_ratios",
                map(
                        "ingest_over_hello", peak.ingestOverHello(),
                        "ingest_over_durable_work", peak.ingestOverDurable()));
        Map<String, Object> half = openSummary(r.halfPeak().run(), r.halfPeak().rate());
        half.put("ingest_stage_buckets", r.halfPeak().stages());
        json.put("ingest_half_peak", half);
        json.put(
                "submit_to_result",
                openSummary(r.submitToResult().run(), r.submitToResult().rate()));
        json.put(
                "router_worker_stage",
                map(
                        "buckets",
                        r.submitToResult().workerStage(),
                        "share_within_1ms",
                        r.submitToResult().shareWithinOneMs()));
        Sustained sustained = r.sustained();
        json.put("sustain_submit", openSummary(sustained.run(), sustained.rate()));
        Completion completion = sustained.completion();
        json.put(
                "sustain_completion",
                map(
                        "asks", completion.asks(),
                        "completed_per_s", completion.rate(),
                        "last_row_after_last_accept_s", completion.lagSeconds(),
                        "accepted_to_stored_p50_ms", completion.p50Ms(),
                        "accepted_to_stored_p99_ms", completion.p99Ms()));
        Map<String, Object> cpu =
                map("stack_jvm", sustained.jvmCpuMsPerAsk(), "postgresql", sustained.databaseCpuMsPerAsk());
        sustained.brokerCpuMsPerAsk().ifPresent(broker -> cpu.put("broker_jvm", broker));
        json.put("cpu_ms_per_completed_ask", cpu);
        ProducerBaseline producer = r.kafka().producer();
        json.put(
                "kafka_producer_performance",
                map(
                        "records", producer.records(),
                        "record_size", producer.recordSize(),
                        "records_per_s", producer.recordsPerS(),
                        "avg_latency_ms", producer.avgLatencyMs(),
                        "p50_ms", producer.p50Ms(),
                        "p99_ms", producer.p99Ms()));
        EndToEndBaseline endToEnd = r.kafka().endToEnd();
        json.put(
                "kafka_end_to_end_latency",
                map(
                        "records", endToEnd.records(),
                        "avg_ms", endToEnd.avgMs(),
                        "p50_ms", endToEnd.p50Ms(),
                        "p99_ms", endToEnd.p99Ms()));
        json.put(
                "jdbc_batched_upsert",
                map(
                        "rows",
                        r.jdbc().rows(),
                        "batch",
                        r.jdbc().batch(),
                        "rows_per_s",
                        r.jdbc().rowsPerS()));
        Map<String, Object> memory = map(
                "stack_jvm_peak_bytes",
                r.memory().jvmPeakBytes(),
                "stack_total_peak_bytes",
                r.memory().totalPeakBytes());
        r.memory().brokerPeakBytes().ifPresent(broker -> memory.put("broker_jvm_peak_bytes", broker));
        json.put("memory", memory);
        return json;
    }

    private static Map<String, Object> closedSummary(HttpLoad.Run run) {
        return map(
                "requests", run.submit.getTotalCount(),
                "seconds", run.seconds(),
                "per_s", run.submit.getTotalCount() / run.seconds(),
                "latency_ms", percentileMap(run.submit),
                "errors", run.errorsByKind());
    }

    private static Map<String, Object> openSummary(HttpLoad.Run run, int rate) {
        Map<String, Object> summary = map(
                "rate_per_s", rate,
                "sent", run.sent.get(),
                "accepted", run.accepted.get(),
                "submit_latency_ms", percentileMap(run.submit));
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

    /** An ordered map of {@code key, value, key, value, ...}. */
    private static Map<String, Object> map(Object... keysAndValues) {
        Map<String, Object> map = new LinkedHashMap<>();
        for (int i = 0; i < keysAndValues.length; i += 2) {
            map.put((String) keysAndValues[i], keysAndValues[i + 1]);
        }
        return map;
    }

    private static String percentiles(Histogram histogram) {
        return "p50 " + HttpLoad.ms(histogram, 50) + ", p90 " + HttpLoad.ms(histogram, 90) + ", p99 "
                + HttpLoad.ms(histogram, 99) + ", max " + String.format("%.2f ms", histogram.getMaxValue() / 1000.0);
    }

    private static String ratio(double value, double baseline) {
        return baseline > 0 ? ratio(value / baseline) : "-";
    }

    /** A share as the table writes it; {@code -} for none (no baseline). */
    private static String ratio(double share) {
        if (share <= 0) {
            return "-";
        }
        return String.format(share < 0.1 ? "%.3fx" : "%.2fx", share);
    }

    private static String mib(long bytes) {
        return String.format("%d MiB", bytes / (1024 * 1024));
    }
}
