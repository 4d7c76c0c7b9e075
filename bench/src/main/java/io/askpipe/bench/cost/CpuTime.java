package io.askpipe.bench.cost;

import io.askpipe.bench.load.DatabaseProcesses;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.time.Duration;

/**
 * The CPU time used so far by this JVM (the benchmark, its embedded broker and every client it
 * runs) and by the embedded PostgreSQL's processes alive now; and, of the JVM's, the time its JIT
 * compilers and its garbage collector took, which a short run of a cheap step may carry as much of
 * as of the step's own work.
 *
 * @param jit the CPU time of the JIT compiler threads ({@link CompilerThreads})
 * @param gc the collectors' time ({@code GarbageCollectorMXBean}s: pauses, which are CPU time for
 *     the serial collector the launcher runs)
 */
record CpuTime(Duration jvm, Duration database, Duration jit, Duration gc) {
    /** The CPU time of this JVM and of {@code database} now. */
    static CpuTime now(DatabaseProcesses database) {
        long gcMs = ManagementFactory.getGarbageCollectorMXBeans().stream()
                .mapToLong(GarbageCollectorMXBean::getCollectionTime)
                .filter(ms -> ms > 0)
                .sum();
        return new CpuTime(
                ProcessHandle.current().info().totalCpuDuration().orElse(Duration.ZERO),
                database.cpu(),
                CompilerThreads.cpu(),
                Duration.ofMillis(gcMs));
    }

    /** The CPU time used between {@code earlier} and this. */
    CpuTime since(CpuTime earlier) {
        return new CpuTime(
                jvm.minus(earlier.jvm), database.minus(earlier.database), jit.minus(earlier.jit), gc.minus(earlier.gc));
    }
}
