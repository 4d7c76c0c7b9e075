package io.askpipe.bench.cost;

import java.math.BigDecimal;
import java.math.MathContext;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The cost model's figures as a person reads them, a Markdown table of one row per step with its
 * notes and the idle noise below, and as the JSON file keeps them.
 */
public final class CostReport {
    private CostReport() {}

    /** The table, then each step's notes and the idle CPU, as docs/benchmarks.md quotes them. */
    public static String table(CostModelResult result) {
        StringBuilder text = new StringBuilder();
        text.append("| step | why (which guarantee) | CPU ms per ask, JVM (of it JIT) | CPU ms per ask, PostgreSQL"
                + " | latency p50 / p99 (ms) | latency of |\n");
        text.append("|---|---|---|---|---|---|\n");
        for (StepResult step : result.steps()) {
            text.append(row(step)).append('\n');
        }
        text.append('\n');
        for (StepResult step : result.steps()) {
            if (!notes(step).isEmpty()) {
                text.append("- ")
                        .append(step.description().name())
                        .append(": ")
                        .append(notes(step))
                        .append('\n');
            }
        }
        CostModelOptions options = result.options();
        text.append(String.format(
                "- %d asks a step after %d of warm-up, %d in flight or to a batch, asks of %d bytes; the JVM's CPU"
                        + " includes the embedded broker's, and its JIT compiler threads' (which compile on, well"
                        + " after a short warm-up). Idle, over %.1f s: JVM %s ms/s (JIT %s ms/s), PostgreSQL %s ms/s%n",
                options.asks(),
                options.warmup(),
                options.batch(),
                options.recordBytes(),
                result.idle().seconds(),
                ms(result.idle().jvmCpuMsPerSecond()),
                ms(result.idle().jitCpuMsPerSecond()),
                ms(result.idle().databaseCpuMsPerSecond())));
        return text.toString();
    }

    /** One step's row of the table. */
    static String row(StepResult step) {
        return "| "
                + String.join(
                        " | ",
                        step.description().name(),
                        step.description().guarantee(),
                        ms(step.jvmCpuMsPerAsk()) + " (" + ms(step.jitMsPerAsk()) + ")",
                        ms(step.databaseCpuMsPerAsk()),
                        ms(step.latency().p50Ms()) + " / " + ms(step.latency().p99Ms()),
                        step.description().latencyOf())
                + " |";
    }

    /** One step's figures on a line, as the run prints them while it goes. */
    static String summaryLine(StepResult step) {
        return String.format(
                "%.0f asks/s; CPU per ask: JVM %s ms (JIT %s), PostgreSQL %s ms; latency p50 %s ms, p99 %s ms%s",
                step.asksPerSecond(),
                ms(step.jvmCpuMsPerAsk()),
                ms(step.jitMsPerAsk()),
                ms(step.databaseCpuMsPerAsk()),
                ms(step.latency().p50Ms()),
                ms(step.latency().p99Ms()),
                notes(step).isEmpty() ? "" : " (" + notes(step) + ")");
    }

    /** What the step said of its run, and the garbage collector's pauses in it if there were any; empty if neither. */
    static String notes(StepResult step) {
        String gc = step.gcMs() > 0 ? String.format("GC pauses %d ms in all", step.gcMs()) : "";
        return step.note().isEmpty() || gc.isEmpty() ? step.note() + gc : step.note() + "; " + gc;
    }

    /** The figures as the JSON file keeps them (snake_case keys). */
    public static Map<String, Object> json(CostModelResult result) {
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("started_at", result.startedAt().toString());
        json.put(
                "machine",
                map(
                        "cores", result.machine().cores(),
                        "os", result.machine().os(),
                        "java", result.machine().java(),
                        "cpu", result.machine().cpu()));
        CostModelOptions options = result.options();
        json.put(
                "options",
                map(
                        "asks", options.asks(),
                        "warmup", options.warmup(),
                        "batch", options.batch(),
                        "record_bytes", options.recordBytes()));
        json.put(
                "idle_cpu_ms_per_s",
                map(
                        "seconds", result.idle().seconds(),
                        "jvm", result.idle().jvmCpuMsPerSecond(),
                        "jvm_jit", result.idle().jitCpuMsPerSecond(),
                        "postgresql", result.idle().databaseCpuMsPerSecond()));
        List<Map<String, Object>> steps = new ArrayList<>();
        for (StepResult step : result.steps()) {
            Timings.Summary latency = step.latency();
            steps.add(map(
                    "step", step.description().name(),
                    "guarantee", step.description().guarantee(),
                    "asks", step.asks(),
                    "seconds", step.seconds(),
                    "asks_per_s", step.asksPerSecond(),
                    "cpu_ms_per_ask",
                            map(
                                    "jvm", step.jvmCpuMsPerAsk(),
                                    "jvm_jit", step.jitMsPerAsk(),
                                    "postgresql", step.databaseCpuMsPerAsk()),
                    "jvm_jit_ms", step.jitMs(),
                    "jvm_gc_ms", step.gcMs(),
                    "latency_ms",
                            map(
                                    "of", step.description().latencyOf(),
                                    "count", latency.count(),
                                    "p50", latency.p50Ms(),
                                    "p99", latency.p99Ms(),
                                    "max", latency.maxMs(),
                                    "mean", latency.meanMs()),
                    "note", step.note()));
        }
        json.put("steps", steps);
        return json;
    }

    /**
     * Milliseconds to three significant digits, in plain notation: {@code 0.00412}, {@code 0.412},
     * {@code 41.2}; from 100 on, whole milliseconds.
     */
    static String ms(double value) {
        if (value == 0) {
            return "0";
        }
        if (Math.abs(value) >= 100) {
            return String.format("%.0f", value);
        }
        return new BigDecimal(value)
                .round(new MathContext(3))
                .stripTrailingZeros()
                .toPlainString();
    }

    /** An ordered map of {@code key, value, key, value, ...}. */
    private static Map<String, Object> map(Object... keysAndValues) {
        Map<String, Object> map = new LinkedHashMap<>();
        for (int i = 0; i < keysAndValues.length; i += 2) {
            map.put((String) keysAndValues[i], keysAndValues[i + 1]);
        }
        return map;
    }
}
