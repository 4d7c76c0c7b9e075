package io.askpipe.bench.profile;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * CPU samples of one kind counted as they are read: by the part each is charged to and, within the
 * part, by the library on top of its stack; with the names of the threads no rule names, so that a rule can
 * be added for them. One thread.
 */
final class Tally {
    private final String event;
    private final Map<Part, EnumMap<Library, Long>> parts = new HashMap<>();
    private final Map<String, Long> unnamed = new HashMap<>();
    private long samples;
    private long truncated;
    private Duration cpu = Duration.ZERO;

    /** A tally of the samples of {@code event}, such as {@code jdk.ExecutionSample}. */
    Tally(String event) {
        this.event = event;
    }

    /** Counts one sample; {@code truncated} if the recording cut its stack short. */
    void add(Sample sample, boolean truncated) {
        add(sample, truncated, Duration.ZERO);
    }

    /**
     * Counts one sample that stands for {@code cpu} of its thread's CPU time ({@code
     * jdk.CPUTimeSample}); {@code truncated} if the recording cut its stack short.
     */
    void add(Sample sample, boolean truncated, Duration cpu) {
        this.cpu = this.cpu.plus(cpu);
        Part part = Attribution.of(sample);
        parts.computeIfAbsent(part, p -> new EnumMap<>(Library.class))
                .merge(Library.topOf(sample.frames()), 1L, Long::sum);
        if (part.equals(Part.OTHER_THREADS) || part.equals(Part.OTHER_CLIENTS)) {
            unnamed.merge(pool(sample.thread()), 1L, Long::sum);
        }
        samples++;
        if (truncated) {
            this.truncated++;
        }
    }

    /** What has been counted: the parts in the table's order, each component's by samples, most first. */
    SampleCounts counts() {
        List<SampleCounts.PartSamples> counted = new ArrayList<>();
        parts.forEach((part, libraries) -> counted.add(new SampleCounts.PartSamples(part, libraries)));
        counted.sort(
                Comparator.comparing((SampleCounts.PartSamples p) -> p.part().component())
                        .thenComparing(SampleCounts.PartSamples::samples, Comparator.reverseOrder())
                        .thenComparing(p -> p.part().name()));
        Map<String, Long> threads = new LinkedHashMap<>();
        unnamed.entrySet().stream()
                .sorted(Map.Entry.<String, Long>comparingByValue().reversed().thenComparing(Map.Entry.comparingByKey()))
                .forEach(entry -> threads.put(entry.getKey(), entry.getValue()));
        return new SampleCounts(event, samples, truncated, cpu.toNanos() / 1e9, counted, threads);
    }

    /** The thread's name with its numbers as {@code N}, so that a pool's threads count as one. */
    static String pool(String thread) {
        return thread.isEmpty() ? "(unnamed)" : thread.replaceAll("\\d+", "N");
    }
}
