package io.askpipe.drill.report;

import java.util.Map;

/** The drill's report as a person reads it at the end of a run. */
public final class ReportText {
    private ReportText() {}

    public static String render(DrillReport r) {
        StringBuilder text = new StringBuilder();
        var a = r.asks();
        text.append("\naskpipe drill report\n");
        line(
                text,
                "asks",
                "%d submitted, %d accepted, %d refused, %d given up, %d client retries",
                a.submitted(),
                a.accepted(),
                a.refused(),
                a.gaveUp(),
                a.clientRetries());
        line(
                text,
                "terminal results",
                "%d succeeded, %d failed, %d expired, %d cancelled",
                a.succeeded(),
                a.failed(),
                a.expired(),
                a.cancelled());
        var b = r.backendCalls();
        if (b == null) {
            line(text, "backend calls", "not counted: the deployment's own backends answered");
        } else {
            line(
                    text,
                    "backend calls",
                    "%d in all, %d asks called more than once (at most %d), %d beyond one per ask",
                    b.total(),
                    b.asksCalledMoreThanOnce(),
                    b.maxPerAsk(),
                    b.extra());
        }
        var w = r.webhooks();
        line(
                text,
                "webhooks",
                "%d of %d delivered, %d deliveries, %d webhook ids seen more than once",
                w.delivered(),
                w.expected(),
                w.deliveries(),
                w.duplicateIds());
        StringBuilder faults = new StringBuilder();
        for (Map.Entry<String, DrillReport.FaultCount> f : r.faults().byType().entrySet()) {
            faults.append(faults.isEmpty() ? "" : ", ")
                    .append(f.getKey())
                    .append(' ')
                    .append(f.getValue().strikes());
        }
        line(
                text,
                "faults injected",
                "%s%s",
                faults.isEmpty() ? "none" : faults,
                r.faults().fingerprint() == null
                        ? " (from /metrics)"
                        : " (fingerprint " + r.faults().fingerprint() + " over "
                                + r.faults().distinctPlaces() + " places)");
        StringBuilder lives = new StringBuilder();
        r.processes().forEach((name, life) -> {
            if (life.kills() + life.crashes() > 0) {
                lives.append(lives.isEmpty() ? "" : ", ")
                        .append(name)
                        .append(": ")
                        .append(life.kills())
                        .append(" killed, ")
                        .append(life.crashes())
                        .append(" crashed");
            }
        });
        line(text, "processes", "%s", lives.isEmpty() ? "none restarted" : lives);
        if (r.memory() != null) {
            memory(text, r.memory());
        }
        var t = r.throughput();
        line(
                text,
                "throughput",
                "%.0f asks/s accepted, %.0f asks/s answered, %.1f s in all",
                t.acceptedPerSecond(),
                t.answeredPerSecond(),
                t.seconds());
        var s = r.latencyMs().submit();
        var v = r.latencyMs().toResult();
        line(text, "submit (ms)", "p50 %.1f  p95 %.1f  p99 %.1f  max %.1f", s.p50(), s.p95(), s.p99(), s.max());
        line(text, "to result (ms)", "p50 %.1f  p95 %.1f  p99 %.1f  max %.1f", v.p50(), v.p95(), v.p99(), v.max());
        if (r.replay() != null) {
            var p = r.replay();
            line(
                    text,
                    "replay " + p.what(),
                    "%d asks redelivered, %d results republished, %s backend calls, %d views changed",
                    p.redelivered(),
                    p.resultsRepublished(),
                    p.backendCalls() == null ? "uncounted" : p.backendCalls(),
                    p.viewsChanged());
        }
        if (r.batch() != null) {
            batch(text, r.batch());
        }
        text.append("invariants\n");
        for (DrillReport.Invariant i : r.invariants()) {
            text.append(String.format(
                    "  %-4s %-36s %d (must be %s)%n", i.holds() ? "ok" : "FAIL", i.name(), i.value(), i.must()));
        }
        text.append(r.passed() ? "PASSED\n" : "FAILED\n");
        return text.toString();
    }

    /** The services' heap cap and each one's peak PSS, with its exits out of memory where it had any. */
    private static void memory(StringBuilder text, DrillReport.Memory m) {
        StringBuilder peaks = new StringBuilder();
        m.services().forEach((name, memory) -> {
            peaks.append(peaks.isEmpty() ? "" : ", ")
                    .append(name)
                    .append(' ')
                    .append(String.format("%.1f", memory.peakPssMib()));
            if (memory.outOfMemoryExits() > 0) {
                peaks.append(" (").append(memory.outOfMemoryExits()).append(" out of memory)");
            }
        });
        line(text, "memory (MiB)", "heap cap %d; peak PSS %s", m.heapMib(), peaks.isEmpty() ? "not read" : peaks);
    }

    /** The batch's lines: what became of it, its counts against its files, and its backend calls. */
    private static void batch(StringBuilder text, DrillReport.Batch b) {
        if (b.id() == null) {
            line(text, "batch", "%d lines, never created", b.lines());
        } else if (b.seconds() == 0) {
            line(text, "batch", "%d lines, %s still %s when the drill stopped waiting", b.lines(), b.id(), b.status());
        } else {
            line(
                    text,
                    "batch",
                    "%d lines, %s %s after %.1f s (%.1f lines/s)",
                    b.lines(),
                    b.id(),
                    b.status(),
                    b.seconds(),
                    b.linesPerSecond());
        }
        var c = b.requestCounts();
        line(
                text,
                "batch lines",
                "request_counts %d total, %d completed, %d failed; files %d output + %d error lines,"
                        + " %d missing, %d duplicated",
                c.total(),
                c.completed(),
                c.failed(),
                b.outputLines(),
                b.errorLines(),
                b.missing(),
                b.duplicated());
        var calls = b.backendCalls();
        if (calls == null) {
            line(text, "batch calls", "not counted: the deployment's own backends answered");
        } else {
            line(
                    text,
                    "batch calls",
                    "%d in all, %d lines called more than once (at most %d), %d beyond one per line",
                    calls.total(),
                    calls.asksCalledMoreThanOnce(),
                    calls.maxPerAsk(),
                    calls.extra());
        }
    }

    private static void line(StringBuilder text, String label, String format, Object... args) {
        text.append(String.format("  %-18s ", label))
                .append(String.format(format, args))
                .append('\n');
    }
}
