package io.askpipe.bench.profile;

import java.time.Duration;
import java.util.Optional;

/**
 * The JVM's CPU over a recording, and what of it the samples do not see: garbage collection (the
 * collector's threads are not Java threads) and JIT compilation (the compiler threads run no Java
 * code).
 *
 * @param recorded from the recording's first event to its last
 * @param cpuSeconds the JVM's user and system CPU over the recording ({@code jdk.CPULoad}), if it
 *     was recorded with the machine's hardware threads ({@code jdk.CPUInformation})
 * @param hardwareThreads the machine's hardware threads, if recorded
 * @param collections garbage collections ({@code jdk.GarbageCollection})
 * @param gcPauseSeconds their pauses, summed
 * @param collector the young and old collectors ({@code jdk.GCConfiguration}), if recorded
 * @param gcThreads the threads a pause keeps busy: one for the serial collector, else the
 *     parallel GC threads (an upper bound: not all of them run the whole pause)
 * @param gcCpuSeconds the process's CPU during the collections ({@code jdk.GCCPUTime}), if recorded
 * @param compilerThreadSeconds the JIT compiler threads' CPU ({@code jdk.ThreadCPULoad}), if recorded
 * @param compileSeconds the time compilations took over the recording ({@code
 *     jdk.CompilerStatistics}), if recorded: wall clock, summed over the compiler threads, so more
 *     than their CPU on a busy machine
 */
record JvmCpu(
        Duration recorded,
        Optional<Double> cpuSeconds,
        Optional<Integer> hardwareThreads,
        long collections,
        double gcPauseSeconds,
        Optional<String> collector,
        int gcThreads,
        Optional<Double> gcCpuSeconds,
        Optional<Double> compilerThreadSeconds,
        Optional<Double> compileSeconds) {

    /**
     * The CPU garbage collection took: as {@code jdk.GCCPUTime} measured it, else its pauses times
     * the threads a pause keeps busy.
     */
    double gcSeconds() {
        return gcCpuSeconds.orElse(gcPauseSeconds * gcThreads);
    }

    /**
     * The CPU JIT compilation took: the compiler threads' as {@code jdk.ThreadCPULoad} measured it,
     * else the compilations' time ({@code jdk.CompilerStatistics}), if either was recorded.
     */
    Optional<Double> jitSeconds() {
        return compilerThreadSeconds.or(() -> compileSeconds);
    }

    /** The CPU the samples do not see: garbage collection and JIT compilation. */
    double unsampledSeconds() {
        return gcSeconds() + jitSeconds().orElse(0.0);
    }

    /**
     * The share of the JVM's CPU that the samples stand for: all but garbage collection and JIT
     * compilation; all of it if the JVM's CPU was not recorded.
     */
    double sampledShare() {
        return cpuSeconds
                .filter(cpu -> cpu > 0)
                .map(cpu -> Math.max(0, 1 - unsampledSeconds() / cpu))
                .orElse(1.0);
    }

    /** {@code seconds} as a share of the JVM's CPU, if that was recorded. */
    Optional<Double> shareOfCpu(double seconds) {
        return cpuSeconds.filter(cpu -> cpu > 0).map(cpu -> seconds / cpu);
    }
}
