package io.askpipe.bench.profile;

import java.util.Collections;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A recording's CPU samples counted by part and library.
 *
 * @param event the samples' event: {@code jdk.ExecutionSample} (threads in Java code, every 10 or
 *     20 ms of wall clock) or {@code jdk.CPUTimeSample} (every 10 ms of each thread's CPU time, its
 *     native code included)
 * @param samples all samples
 * @param cpuSeconds the CPU time the samples stand for, {@code jdk.CPUTimeSample}'s only; else 0
 * @param truncated samples whose stack the recording cut short (JFR's {@code stackdepth}, 64 by
 *     default): their askpipe frames may be missing
 * @param parts each part's samples, in the table's order
 * @param unnamedThreads samples of threads no rule names, by thread name with numbers as {@code N},
 *     most first
 */
record SampleCounts(
        String event,
        long samples,
        long truncated,
        double cpuSeconds,
        List<PartSamples> parts,
        Map<String, Long> unnamedThreads) {
    SampleCounts {
        parts = List.copyOf(parts);
        unnamedThreads = Collections.unmodifiableMap(new LinkedHashMap<>(unnamedThreads));
    }

    /** The samples of the part, none if it has none. */
    long of(Part part) {
        return parts.stream()
                .filter(p -> p.part().equals(part))
                .mapToLong(PartSamples::samples)
                .sum();
    }

    /**
     * One part's samples, by the library on top of their stacks.
     *
     * @param part the part
     * @param libraries its samples by library
     */
    record PartSamples(Part part, Map<Library, Long> libraries) {
        PartSamples {
            libraries = libraries.isEmpty() ? Map.of() : Collections.unmodifiableMap(new EnumMap<>(libraries));
        }

        /** The part's samples. */
        long samples() {
            return libraries.values().stream().mapToLong(Long::longValue).sum();
        }

        /** The libraries, most samples first. */
        List<Map.Entry<Library, Long>> byLibrary() {
            return mostFirst(libraries);
        }
    }

    /** Samples by library, most first. */
    static List<Map.Entry<Library, Long>> mostFirst(Map<Library, Long> libraries) {
        return libraries.entrySet().stream()
                .sorted(Map.Entry.<Library, Long>comparingByValue(Comparator.reverseOrder())
                        .thenComparing(Map.Entry.comparingByKey()))
                .map(e -> Map.entry(e.getKey(), e.getValue()))
                .toList();
    }
}
