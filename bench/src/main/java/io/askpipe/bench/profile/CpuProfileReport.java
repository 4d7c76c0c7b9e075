package io.askpipe.bench.profile;

import io.askpipe.bench.profile.Part.Component;
import io.askpipe.bench.profile.SampleCounts.PartSamples;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * The CPU profile as a person reads it (what was recorded, then a Markdown table of the parts
 * with their shares of the samples and of the JVM's CPU, and their top libraries) and as the JSON
 * file keeps it.
 *
 * <p>A part's share of the JVM's CPU is its share of the samples times the share of the JVM's CPU
 * that the samples stand for (all but garbage collection and JIT compilation), so that the parts,
 * garbage collection and JIT compilation add up to the JVM's CPU; with {@code --per-ask-ms X},
 * each share times {@code X} is the part's CPU per ask.
 */
public final class CpuProfileReport {
    /** Libraries listed beside a part: the most sampled, down to one percent of the part. */
    private static final int TOP_LIBRARIES = 4;

    private CpuProfileReport() {}

    /**
     * One row of the table: a component, a part, garbage collection, JIT compilation or the total.
     *
     * @param label what the row is
     * @param component whether it sums a component's parts
     * @param samples its samples, if it is sampled
     * @param ofSamples its share of the samples, if it is sampled
     * @param ofCpu its share of the JVM's CPU, if that was recorded
     * @param msPerAsk its milliseconds of CPU per ask, if the CPU per ask was given
     * @param libraries its samples by library, most first
     */
    record Row(
            String label,
            boolean component,
            Optional<Long> samples,
            Optional<Double> ofSamples,
            Optional<Double> ofCpu,
            Optional<Double> msPerAsk,
            List<Map.Entry<Library, Long>> libraries) {}

    /** What was recorded, the table in Markdown (as docs/benchmarks.md quotes it), and the threads no rule names. */
    public static String table(CpuProfileResult result, Optional<Double> perAskMs) {
        JvmCpu cpu = result.cpu();
        SampleCounts samples = result.samples();
        StringBuilder out = new StringBuilder();
        out.append(String.format(
                "%s: %,d samples (%s) over %.1f s%s, %.1f %% of them with their stack cut short at JFR's stack"
                        + " depth%n",
                result.recording(),
                samples.samples(),
                samples.event(),
                cpu.recorded().toMillis() / 1000.0,
                samples.cpuSeconds() > 0 ? String.format(", standing for %.1f s of CPU", samples.cpuSeconds()) : "",
                percent(samples.truncated(), samples.samples())));
        cpu.cpuSeconds()
                .ifPresent(seconds -> out.append(String.format(
                        "the JVM's CPU (jdk.CPULoad): %.1f s, %.2f of %d hardware threads on average%n",
                        seconds,
                        seconds / Math.max(1e-9, cpu.recorded().toMillis() / 1000.0),
                        cpu.hardwareThreads().orElseThrow())));
        out.append("not in the samples: ").append(unsampled(cpu)).append('\n');
        perAskMs.ifPresent(
                ms -> out.append(String.format("ms per ask: each share of the JVM's CPU times %s ms%n", ms)));
        out.append('\n');

        boolean withCpu = cpu.cpuSeconds().isPresent();
        boolean withAsk = perAskMs.isPresent();
        List<String> header = new ArrayList<>(List.of("part", "samples", "of the samples"));
        if (withCpu) {
            header.add("of the JVM's CPU");
        }
        if (withAsk) {
            header.add("ms per ask");
        }
        header.add("top of stack (share of the row's samples)");
        out.append(markdown(header));
        out.append(markdown(header.stream().map(h -> "---").toList()));
        for (Row row : rows(result, perAskMs)) {
            List<String> cells = new ArrayList<>();
            cells.add(row.component() ? "**" + row.label() + "**" : row.label());
            cells.add(row.samples().map(n -> String.format("%,d", n)).orElse(""));
            cells.add(row.ofSamples().map(CpuProfileReport::percent).orElse(""));
            if (withCpu) {
                cells.add(row.ofCpu().map(CpuProfileReport::percent).orElse(""));
            }
            if (withAsk) {
                cells.add(row.msPerAsk().map(ms -> String.format("%.3f", ms)).orElse(""));
            }
            cells.add(libraries(row));
            out.append(markdown(cells));
        }
        if (!samples.unnamedThreads().isEmpty()) {
            out.append('\n')
                    .append("threads no rule names (samples): ")
                    .append(samples.unnamedThreads().entrySet().stream()
                            .limit(12)
                            .map(e -> e.getKey() + " " + e.getValue())
                            .collect(Collectors.joining(", ")))
                    .append('\n');
        }
        return out.toString();
    }

    /** The rows: each component, then its parts; garbage collection and JIT compilation; the total. */
    static List<Row> rows(CpuProfileResult result, Optional<Double> perAskMs) {
        SampleCounts counts = result.samples();
        JvmCpu cpu = result.cpu();
        List<Row> rows = new ArrayList<>();
        Map<Component, List<PartSamples>> byComponent = new EnumMap<>(Component.class);
        counts.parts()
                .forEach(p -> byComponent
                        .computeIfAbsent(p.part().component(), c -> new ArrayList<>())
                        .add(p));
        byComponent.forEach((component, parts) -> {
            rows.add(sampled(component.title(), true, sum(parts), counts, cpu, perAskMs));
            parts.forEach(p -> rows.add(sampled(p.part().label(), false, p.libraries(), counts, cpu, perAskMs)));
        });
        if (cpu.cpuSeconds().isPresent()) {
            rows.add(unsampled("garbage collection (not sampled)", cpu.gcSeconds(), cpu, perAskMs));
            cpu.jitSeconds().ifPresent(jit -> rows.add(unsampled("JIT compilation (not sampled)", jit, cpu, perAskMs)));
        }
        Map<Library, Long> all = sum(counts.parts());
        Optional<Double> total = cpu.cpuSeconds().map(s -> 1.0);
        rows.add(new Row(
                "total",
                true,
                Optional.of(counts.samples()),
                Optional.of(1.0),
                total,
                perAskMs,
                SampleCounts.mostFirst(all)));
        return rows;
    }

    /** The JSON file's content: what was recorded, and every row's figures. */
    public static Map<String, Object> json(CpuProfileResult result, Optional<Double> perAskMs) {
        JvmCpu cpu = result.cpu();
        SampleCounts samples = result.samples();
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("recording", result.recording().toString());
        json.put("recorded_s", cpu.recorded().toMillis() / 1000.0);
        json.put("sample_event", samples.event());
        json.put("samples", samples.samples());
        if (samples.cpuSeconds() > 0) {
            json.put("sampled_cpu_s", samples.cpuSeconds());
        }
        json.put("truncated_samples", samples.truncated());
        cpu.cpuSeconds().ifPresent(s -> json.put("jvm_cpu_s", s));
        cpu.hardwareThreads().ifPresent(n -> json.put("hardware_threads", n));
        Map<String, Object> gc = new LinkedHashMap<>();
        gc.put("collections", cpu.collections());
        gc.put("pause_s", cpu.gcPauseSeconds());
        cpu.collector().ifPresent(c -> gc.put("collector", c));
        gc.put("threads", cpu.gcThreads());
        cpu.gcCpuSeconds().ifPresent(s -> gc.put("measured_cpu_s", s));
        gc.put("cpu_s", cpu.gcSeconds());
        json.put("garbage_collection", gc);
        Map<String, Object> jit = new LinkedHashMap<>();
        cpu.compilerThreadSeconds().ifPresent(s -> jit.put("compiler_threads_cpu_s", s));
        cpu.compileSeconds().ifPresent(s -> jit.put("compile_time_s", s));
        cpu.jitSeconds().ifPresent(s -> jit.put("cpu_s", s));
        json.put("jit_compilation", jit);
        json.put("sampled_share_of_jvm_cpu", cpu.sampledShare());
        perAskMs.ifPresent(ms -> json.put("jvm_cpu_ms_per_ask", ms));
        List<Map<String, Object>> rows = new ArrayList<>();
        for (Row row : rows(result, perAskMs)) {
            Map<String, Object> r = new LinkedHashMap<>();
            r.put("row", row.label());
            r.put("component", row.component());
            row.samples().ifPresent(n -> r.put("samples", n));
            row.ofSamples().ifPresent(s -> r.put("share_of_samples", s));
            row.ofCpu().ifPresent(s -> r.put("share_of_jvm_cpu", s));
            row.msPerAsk().ifPresent(ms -> r.put("ms_per_ask", ms));
            Map<String, Long> libraries = new LinkedHashMap<>();
            row.libraries().forEach(e -> libraries.put(e.getKey().label(), e.getValue()));
            if (!libraries.isEmpty()) {
                r.put("libraries", libraries);
            }
            rows.add(r);
        }
        json.put("rows", rows);
        json.put("unnamed_threads", samples.unnamedThreads());
        return json;
    }

    /** What the samples do not see, where each figure comes from, and what share of the JVM's CPU is left to them. */
    static String unsampled(JvmCpu cpu) {
        String gc = cpu.gcCpuSeconds()
                .map(seconds -> String.format(
                        "garbage collection %.1f s (%,d collections, jdk.GCCPUTime)", seconds, cpu.collections()))
                .orElseGet(() -> String.format(
                        "garbage collection %.1f s (%,d collections, %s: %.1f s of pauses times %d thread%s)",
                        cpu.gcSeconds(),
                        cpu.collections(),
                        cpu.collector().orElse("unknown collector"),
                        cpu.gcPauseSeconds(),
                        cpu.gcThreads(),
                        cpu.gcThreads() == 1 ? "" : "s, an upper bound"));
        String jit = cpu.compilerThreadSeconds()
                .map(seconds ->
                        String.format("JIT compilation %.1f s (the compiler threads' jdk.ThreadCPULoad)", seconds))
                .or(() -> cpu.compileSeconds()
                        .map(seconds -> String.format(
                                "JIT compilation %.1f s (jdk.CompilerStatistics: compile time, wall clock, an upper"
                                        + " bound)",
                                seconds)))
                .orElse("JIT compilation not recorded");
        String rest = cpu.shareOfCpu(cpu.unsampledSeconds())
                .map(share -> String.format(
                        ": %.1f %% of the JVM's CPU; a part's share of it is its share of the samples times the"
                                + " other %.1f %%",
                        100 * share, 100 * cpu.sampledShare()))
                .orElse("; the JVM's CPU was not recorded (jdk.CPULoad, jdk.CPUInformation)");
        return gc + ", " + jit + rest;
    }

    private static Row sampled(
            String label,
            boolean component,
            Map<Library, Long> libraries,
            SampleCounts counts,
            JvmCpu cpu,
            Optional<Double> perAskMs) {
        long samples = libraries.values().stream().mapToLong(Long::longValue).sum();
        double ofSamples = counts.samples() == 0 ? 0 : (double) samples / counts.samples();
        Optional<Double> ofCpu = cpu.cpuSeconds().map(s -> ofSamples * cpu.sampledShare());
        return new Row(
                label,
                component,
                Optional.of(samples),
                Optional.of(ofSamples),
                ofCpu,
                perAskMs.map(ms -> ms * ofCpu.orElse(ofSamples)),
                SampleCounts.mostFirst(libraries));
    }

    private static Row unsampled(String label, double seconds, JvmCpu cpu, Optional<Double> perAskMs) {
        Optional<Double> ofCpu = cpu.shareOfCpu(seconds);
        return new Row(
                label,
                false,
                Optional.empty(),
                Optional.empty(),
                ofCpu,
                perAskMs.flatMap(ms -> ofCpu.map(share -> ms * share)),
                List.of());
    }

    private static Map<Library, Long> sum(List<PartSamples> parts) {
        Map<Library, Long> sum = new EnumMap<>(Library.class);
        parts.forEach(p -> p.libraries().forEach((library, n) -> sum.merge(library, n, Long::sum)));
        return sum;
    }

    private static String libraries(Row row) {
        long samples = row.samples().orElse(0L);
        return row.libraries().stream()
                .filter(e -> e.getValue() * 100 >= samples)
                .limit(TOP_LIBRARIES)
                .map(e -> String.format("%s %.0f %%", e.getKey().label(), percent(e.getValue(), samples)))
                .collect(Collectors.joining(", "));
    }

    private static String markdown(List<String> cells) {
        return "| " + String.join(" | ", cells) + " |\n";
    }

    private static String percent(double share) {
        return String.format("%.1f %%", 100 * share);
    }

    private static double percent(long part, long whole) {
        return whole == 0 ? 0 : 100.0 * part / whole;
    }
}
