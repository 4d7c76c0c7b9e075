package io.askpipe.bench.load;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * Which CPUs the run's processes use. Shared (the default): every process on every core, as on a
 * machine that runs the whole pipeline. Split ({@code --split-cores}): the broker and PostgreSQL on
 * CPU 0, and with them the load generator, so that CPU 1 holds only the services, and the
 * processes that stand where the services stand in the baselines (the hello-world server, the
 * durable-work baseline, Kafka's tools); each pinning is read back from {@code /proc} and printed.
 */
final class Placement {
    static final int INFRASTRUCTURE_CPU = 0;
    static final int SERVICES_CPU = 1;
    /** How long a process started by {@code taskset} may take to be pinned. */
    private static final Duration PINNED_WITHIN = Duration.ofSeconds(5);

    /** Present when the run is split. */
    private final Optional<Path> taskset;

    private Placement(Optional<Path> taskset) {
        this.taskset = taskset;
    }

    /** Every process on every core. */
    static Placement shared() {
        return new Placement(Optional.empty());
    }

    /**
     * The split of {@code --split-cores} on a machine of {@code cores} CPUs with {@code taskset}
     * (if found); an {@link IllegalStateException} saying why, where it cannot be had.
     */
    static Placement split(int cores, Optional<Path> taskset) {
        refusal(cores, taskset).ifPresent(reason -> {
            throw new IllegalStateException(reason);
        });
        return new Placement(taskset);
    }

    /** Why a split cannot be had with {@code cores} CPUs and {@code taskset}; empty if it can. */
    static Optional<String> refusal(int cores, Optional<Path> taskset) {
        if (taskset.isEmpty()) {
            return Optional.of("--split-cores needs util-linux's taskset on the PATH (apt-get install util-linux)");
        }
        if (cores < 2) {
            return Optional.of("--split-cores needs at least 2 CPUs; this process may use " + cores);
        }
        return Optional.empty();
    }

    boolean split() {
        return taskset.isPresent();
    }

    /** {@code command} as a process that stands where the services stand: on CPU 1 when split. */
    List<String> services(List<String> command) {
        return taskset.map(t -> CpuAffinity.pinned(t, SERVICES_CPU, command)).orElse(command);
    }

    /** {@code command} as the broker's and PostgreSQL's process: on CPU 0 when split. */
    List<String> infrastructure(List<String> command) {
        return taskset.map(t -> CpuAffinity.pinned(t, INFRASTRUCTURE_CPU, command))
                .orElse(command);
    }

    /** When split, pins this process (the load generator), every thread of it, to CPU 0, and checks it. */
    void pinLoadGenerator() throws IOException, InterruptedException {
        if (taskset.isPresent()) {
            long pid = ProcessHandle.current().pid();
            CpuAffinity.pin(taskset.get(), pid, INFRASTRUCTURE_CPU);
            check("the load generator", pid, INFRASTRUCTURE_CPU);
        }
    }

    /**
     * When split, reads back the CPUs process {@code pid} ({@code what}) may use, prints them, and
     * fails unless they are {@code cpu} alone within a few seconds ({@code taskset} pins itself
     * after it started, then runs the command); a process already gone is passed over.
     */
    void check(String what, long pid, int cpu) {
        if (taskset.isEmpty()) {
            return;
        }
        String expected = String.valueOf(cpu);
        long deadline = System.nanoTime() + PINNED_WITHIN.toNanos();
        Optional<String> allowed = CpuAffinity.allowed(pid);
        while (allowed.isPresent() && !allowed.get().equals(expected) && System.nanoTime() < deadline) {
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
            allowed = CpuAffinity.allowed(pid);
        }
        allowed.ifPresent(cpus -> {
            System.out.println("   " + what + " (pid " + pid + "): Cpus_allowed_list " + cpus);
            if (!cpus.equals(expected)) {
                throw new IllegalStateException(
                        what + " (pid " + pid + ") may run on CPUs " + cpus + ", not on CPU " + cpu + " alone");
            }
        });
    }
}
