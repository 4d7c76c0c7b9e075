package io.askpipe.bench.batch;

import io.askpipe.bench.load.AskLoadResult.Completion;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The batch benchmark's figures as a person reads them (three Markdown tables: the headline
 * figures beside the same run's interactive ones, the batch's moments, each service's memory
 * phase by phase) and as the JSON file keeps them.
 */
public final class BatchLoadReport {
    /** The phases of the memory table, in the order they ran; {@code run} holds the four before it. */
    static final List<String> PHASES = List.of(
            "alone", "closed", "upload", "validating", "expanding", "draining", "finalizing", "run", "download");

    private BatchLoadReport() {}

    /** The three tables in Markdown, as docs/benchmarks.md quotes them. */
    public static String tables(BatchLoadResult r) {
        StringBuilder out = new StringBuilder();
        out.append("| measure | with the batch | same run, without it | ratio |\n|---|---|---|---|\n");
        for (List<String> row : headline(r)) {
            out.append(markdown(row));
        }
        out.append("\n| the batch's moment (database clock) | seconds after create |\n|---|---|\n");
        for (List<String> row : moments(r)) {
            out.append(markdown(row));
        }
        out.append('\n').append(memoryTable(r));
        return out.toString();
    }

    static List<List<String>> headline(BatchLoadResult r) {
        BatchTimes batch = r.batch();
        Completion completion = r.closed().completion();
        List<List<String>> rows = new ArrayList<>();
        rows.add(List.of(
                "batch lines per second, create to " + "completed",
                String.format(
                        "%,d lines in %.1f s: **%.0f lines/s**",
                        batch.lines(), BatchTimes.seconds(batch.total()), batch.linesPerSecond()),
                String.format(
                        "interactive completed asks: %.0f asks/s (%,d asks, %d clients for %.0f s, closed loop)",
                        completion.rate(),
                        completion.asks(),
                        r.closed().run().clients(),
                        r.closed().run().seconds()),
                ratio(r.linesPerCompletedAsk())));
        rows.add(List.of(
                String.format(
                        "interactive submit to result at %d asks/s, p50 / p99",
                        r.options().rate()),
                String.format(
                        "%s / **%s** (%,d asks over %.0f s)",
                        ms(r.beside().result().p50Ms()),
                        ms(r.beside().result().p99Ms()),
                        r.beside().result().count(),
                        r.beside().seconds()),
                String.format(
                        "%s / %s (%,d asks over %.0f s)",
                        ms(r.alone().result().p50Ms()),
                        ms(r.alone().result().p99Ms()),
                        r.alone().result().count(),
                        r.alone().seconds()),
                ratio(r.p50Ratio()) + " / **" + ratio(r.p99Ratio()) + "**"));
        rows.add(List.of(
                "upload of the input file (`POST /v1/files`)",
                String.format(
                        "%.1f MB, %,d lines in %.2f s: %.1f MB/s",
                        r.upload().bytes() / 1e6,
                        r.upload().lines(),
                        r.upload().seconds(),
                        r.upload().megabytesPerSecond()),
                "",
                ""));
        rows.add(List.of(
                "download of the output and error files",
                String.format(
                        "%.1f MB, %,d lines in %.2f s: %.1f MB/s",
                        r.download().bytes() / 1e6,
                        r.download().lines(),
                        r.download().seconds(),
                        r.download().megabytesPerSecond()),
                "",
                ""));
        return rows;
    }

    static List<List<String>> moments(BatchLoadResult r) {
        BatchTimes b = r.batch();
        List<List<String>> rows = new ArrayList<>();
        rows.add(moment(
                "`in_progress_at`: validation began (its lines are judged as at this moment)", b, b.inProgressAt()));
        seenAfterCreate(r, "validating")
                .ifPresent(
                        s -> rows.add(List.of("validation done: status `in_progress` (seen by polling)", seconds(s))));
        seenAfterCreate(r, "expanding")
                .ifPresent(s -> rows.add(
                        List.of("every line queued: the checkpoint at the file's end (seen by polling)", seconds(s))));
        rows.add(moment("the router's first answer to a line (`completed_at`)", b, b.firstAnsweredAt()));
        rows.add(moment("the router's last answer to a line", b, b.lastAnsweredAt()));
        rows.add(moment("ingest's last line settled (`settled_at`)", b, b.lastSettledAt()));
        rows.add(moment("`finalizing_at`", b, b.finalizingAt()));
        rows.add(moment("`completed_at`", b, b.endedAt()));
        rows.add(moment("the result store's last row of a line (`updated_at`)", b, b.lastStoredAt()));
        return rows;
    }

    /**
     * When the phase {@code name} ended, in seconds after the create was sent, by the phases'
     * clock: the end of a batch's stage as the benchmark's polling saw it.
     */
    static Optional<Double> seenAfterCreate(BatchLoadResult r, String name) {
        Optional<Timeline.Phase> run = r.phase("run");
        Optional<Timeline.Phase> phase = r.phase(name);
        if (run.isEmpty() || phase.isEmpty()) {
            return Optional.empty();
        }
        return Optional.of((phase.get().endNanos() - run.get().startNanos()) / 1e9);
    }

    static String memoryTable(BatchLoadResult r) {
        List<String> services = r.services();
        StringBuilder out = new StringBuilder("| phase | seconds | load average, highest |");
        StringBuilder rule = new StringBuilder("|---|---|---|");
        for (String service : services) {
            out.append(' ').append(service).append(" heap / PSS, peak |");
            rule.append("---|");
        }
        out.append('\n').append(rule).append('\n');
        for (String name : PHASES) {
            Optional<Timeline.Phase> phase = r.phase(name);
            if (phase.isEmpty()) {
                continue;
            }
            out.append("| ")
                    .append(name)
                    .append(" | ")
                    .append(String.format("%.1f", phase.get().seconds()));
            Double load = r.load().get(name);
            out.append(" | ")
                    .append(load == null ? "-" : String.format("%.1f", load))
                    .append(" |");
            Map<String, PhasePeaks.Peak> peaks = r.memory().getOrDefault(name, Map.of());
            for (String service : services) {
                PhasePeaks.Peak peak = peaks.get(service);
                out.append(' ')
                        .append(peak == null ? "-" : mib(peak.heapBytes()) + " / " + mib(peak.pssBytes()))
                        .append(" |");
            }
            out.append('\n');
        }
        return out.toString();
    }

    /** The figures as the JSON file keeps them (snake_case keys). */
    public static Map<String, Object> json(BatchLoadResult r) {
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("started_at", r.startedAt().toString());
        BatchLoadResult.Host host = r.host();
        json.put(
                "machine",
                map(
                        "cores", host.cores(),
                        "memory_bytes", host.memoryBytes(),
                        "cpu", host.cpu(),
                        "os", host.os(),
                        "java", host.java(),
                        "load_average_at_start", host.loadAtStart()));
        BatchLoadOptions o = r.options();
        json.put(
                "options",
                map(
                        "lines", o.lines(),
                        "rate", o.rate(),
                        "seconds", o.seconds().toSeconds(),
                        "closed_seconds", o.closedSeconds().toSeconds(),
                        "clients", o.clients(),
                        "prompt_words", o.promptWords(),
                        "sample_ms", o.sample().toMillis(),
                        "workers", o.workers(),
                        "batch_expansion_chunk",
                                o.chunk().map(Object.class::cast).orElse("default")));
        json.put("interactive_alone", open(r.alone()));
        Completion completion = r.closed().completion();
        json.put(
                "interactive_closed_loop",
                map(
                        "clients", r.closed().run().clients(),
                        "seconds", r.closed().run().seconds(),
                        "accepted", r.closed().run().accepted(),
                        "accepted_per_s", r.closed().run().acceptedPerSecond(),
                        "submit_ms", summary(r.closed().run().submit()),
                        "errors", r.closed().run().errors(),
                        "completed_asks", completion.asks(),
                        "completed_per_s", completion.rate(),
                        "last_row_after_last_accept_s", completion.lagSeconds(),
                        "accepted_to_stored_p50_ms", completion.p50Ms(),
                        "accepted_to_stored_p99_ms", completion.p99Ms()));
        json.put("upload", transfer(r.upload()));
        BatchTimes b = r.batch();
        Map<String, Object> batch = map(
                "lines", b.lines(),
                "succeeded", b.succeeded(),
                "stored", b.stored(),
                "seconds", BatchTimes.seconds(b.total()),
                "lines_per_s", b.linesPerSecond(),
                "created_at", b.createdAt().toString());
        Map<String, Object> after = new LinkedHashMap<>();
        after.put("in_progress", b.secondsAfterCreate(b.inProgressAt()));
        seenAfterCreate(r, "validating").ifPresent(s -> after.put("validated_seen", s));
        seenAfterCreate(r, "expanding").ifPresent(s -> after.put("all_queued_seen", s));
        after.put("first_answered", b.secondsAfterCreate(b.firstAnsweredAt()));
        after.put("last_answered", b.secondsAfterCreate(b.lastAnsweredAt()));
        after.put("last_stored", b.secondsAfterCreate(b.lastStoredAt()));
        after.put("last_settled", b.secondsAfterCreate(b.lastSettledAt()));
        after.put("finalizing", b.secondsAfterCreate(b.finalizingAt()));
        after.put("ended", b.secondsAfterCreate(b.endedAt()));
        batch.put("seconds_after_create", after);
        json.put("batch", batch);
        json.put("download", transfer(r.download()));
        json.put("interactive_beside_the_batch", open(r.beside()));
        json.put(
                "ratios",
                map(
                        "batch_lines_per_s_over_interactive_completed_per_s", r.linesPerCompletedAsk(),
                        "p50_with_over_without", r.p50Ratio(),
                        "p99_with_over_without", r.p99Ratio()));
        Map<String, Object> phases = new LinkedHashMap<>();
        for (String name : PHASES) {
            r.phase(name).ifPresent(phase -> {
                Map<String, Object> services = new LinkedHashMap<>();
                r.memory()
                        .getOrDefault(name, Map.of())
                        .forEach((service, peak) -> services.put(
                                service,
                                map(
                                        "heap_peak_bytes", peak.heapBytes(),
                                        "pss_peak_bytes", peak.pssBytes(),
                                        "samples", peak.samples())));
                phases.put(
                        name,
                        map(
                                "seconds", phase.seconds(),
                                "load_average_highest", r.load().get(name),
                                "services", services));
            });
        }
        json.put("phases", phases);
        return json;
    }

    private static Map<String, Object> open(InteractiveLoad.OpenRun run) {
        return map(
                "rate_per_s", run.rate(),
                "seconds", run.seconds(),
                "sent", run.sent(),
                "accepted", run.accepted(),
                "answered", run.answered(),
                "submit_ms", summary(run.submit()),
                "submit_to_result_ms", summary(run.result()),
                "long_polls_refused_busy", run.busyPolls(),
                "errors", run.errors());
    }

    private static Map<String, Object> summary(Latencies.Summary summary) {
        return map(
                "count", summary.count(),
                "p50", summary.p50Ms(),
                "p90", summary.p90Ms(),
                "p99", summary.p99Ms(),
                "p99.9", summary.p999Ms(),
                "max", summary.maxMs());
    }

    private static Map<String, Object> transfer(BatchLoadResult.Transfer transfer) {
        return map(
                "bytes", transfer.bytes(),
                "lines", transfer.lines(),
                "seconds", transfer.seconds(),
                "mb_per_s", transfer.megabytesPerSecond());
    }

    private static List<String> moment(String what, BatchTimes batch, Instant at) {
        return List.of(what, seconds(batch.secondsAfterCreate(at)));
    }

    private static String markdown(List<String> cells) {
        return "| " + String.join(" | ", cells) + " |\n";
    }

    /** An ordered map of {@code key, value, key, value, ...}. */
    private static Map<String, Object> map(Object... keysAndValues) {
        Map<String, Object> map = new LinkedHashMap<>();
        for (int i = 0; i < keysAndValues.length; i += 2) {
            map.put((String) keysAndValues[i], keysAndValues[i + 1]);
        }
        return map;
    }

    static String ratio(double ratio) {
        if (Double.isNaN(ratio)) {
            return "-";
        }
        return String.format(ratio < 0.1 ? "%.3fx" : "%.2fx", ratio);
    }

    private static String ms(double ms) {
        return ms >= 100 ? String.format("%,.0f ms", ms) : String.format("%.1f ms", ms);
    }

    private static String seconds(double seconds) {
        return String.format("%.1f", seconds);
    }

    private static String mib(long bytes) {
        return bytes == 0 ? "?" : (bytes >> 20) + " MiB";
    }
}
