package io.askpipe.bench.cost;

import io.askpipe.bench.load.DatabaseProcesses;
import java.time.Duration;

/**
 * Measures steps one after the other: a warm-up of the step (not counted), then the CPU time of
 * this JVM and of PostgreSQL and the wall-clock time over the measured asks, with the latencies the
 * step recorded. Prints each step's line as it finishes.
 */
final class StepRunner {
    private final DatabaseProcesses database;
    private final int warmup;
    private final int asks;

    StepRunner(DatabaseProcesses database, CostModelOptions options) {
        this.database = database;
        this.warmup = options.warmup();
        this.asks = options.asks();
    }

    /** Warms {@code step} up on the first asks, then measures it on the next {@code asks}. */
    StepResult measure(Step step) throws Exception {
        Step.Description description = step.description();
        System.out.printf("%s: %d asks of warm-up, then %d measured%n", description.name(), warmup, asks);
        step.run(0, warmup, new Timings());
        System.gc(); // the warm-up's garbage is not the measured run's
        Timings timings = new Timings();
        CpuTime before = CpuTime.now(database);
        long started = System.nanoTime();
        step.run(warmup, asks, timings);
        long elapsed = System.nanoTime() - started;
        CpuTime used = CpuTime.now(database).since(before);
        String note = step.note();
        if (timings.count() == 0) {
            step.probeLatency(warmup, asks, timings);
        }
        StepResult result = StepResult.of(description, asks, elapsed, used, timings.summary(), note);
        System.out.println("  " + CostReport.summaryLine(result));
        return result;
    }

    /** What this JVM and PostgreSQL use doing nothing for {@code period}: the noise under every step's figure. */
    Idle idle(Duration period) throws InterruptedException {
        System.gc();
        CpuTime before = CpuTime.now(database);
        long started = System.nanoTime();
        Thread.sleep(period);
        double seconds = (System.nanoTime() - started) / 1e9;
        CpuTime used = CpuTime.now(database).since(before);
        return new Idle(
                seconds,
                used.jvm().toNanos() / 1e6 / seconds,
                Math.max(0, used.jit().toNanos()) / 1e6 / seconds,
                used.database().toNanos() / 1e6 / seconds);
    }

    /**
     * The CPU time used while nothing ran, per second.
     *
     * @param jvmCpuMsPerSecond this JVM's: the idle broker and its timers, and JIT compilation
     * @param jitCpuMsPerSecond of the JVM's, its JIT compiler threads'
     * @param databaseCpuMsPerSecond PostgreSQL's
     */
    record Idle(double seconds, double jvmCpuMsPerSecond, double jitCpuMsPerSecond, double databaseCpuMsPerSecond) {}
}
