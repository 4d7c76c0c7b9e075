package io.askpipe.bench.cost;

import java.time.Duration;

/**
 * What one step cost: CPU per ask of the benchmark's JVM (which holds the broker) and of
 * PostgreSQL, over the measured asks, and the latency of one operation.
 *
 * @param asks the asks measured (the warm-up not among them)
 * @param seconds the wall-clock time of the measured run
 * @param jvmCpuMsPerAsk the JVM's CPU time over the run, divided by {@code asks}
 * @param databaseCpuMsPerAsk PostgreSQL's CPU time over the run, divided by {@code asks}
 * @param jitMs of the JVM's CPU time, the JIT compiler threads' over the run, in all (0 if those
 *     threads ended meanwhile)
 * @param gcMs of the JVM's CPU time, the garbage collector's over the run, in all
 * @param latency the operations' (or batches') latencies, as the description says
 * @param note what else the step said of its run; empty if nothing
 */
record StepResult(
        Step.Description description,
        int asks,
        double seconds,
        double jvmCpuMsPerAsk,
        double databaseCpuMsPerAsk,
        long jitMs,
        long gcMs,
        Timings.Summary latency,
        String note) {

    /** The result of a run of {@code asks} asks in {@code elapsedNanos} that used {@code cpu}. */
    static StepResult of(
            Step.Description description,
            int asks,
            long elapsedNanos,
            CpuTime cpu,
            Timings.Summary latency,
            String note) {
        return new StepResult(
                description,
                asks,
                elapsedNanos / 1e9,
                perAsk(cpu.jvm(), asks),
                perAsk(cpu.database(), asks),
                Math.max(0, cpu.jit().toMillis()),
                Math.max(0, cpu.gc().toMillis()),
                latency,
                note);
    }

    /** Of the JVM's CPU per ask, what its JIT compiler threads used, in milliseconds. */
    double jitMsPerAsk() {
        return (double) jitMs / asks;
    }

    /** Asks per second of the measured run. */
    double asksPerSecond() {
        return seconds > 0 ? asks / seconds : 0;
    }

    /** {@code cpu} divided among {@code asks}, in milliseconds; a negative difference (a process gone) counts as 0. */
    static double perAsk(Duration cpu, int asks) {
        return Math.max(0, cpu.toNanos()) / 1e6 / asks;
    }
}
