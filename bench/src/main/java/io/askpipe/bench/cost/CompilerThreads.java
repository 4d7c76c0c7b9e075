package io.askpipe.bench.cost;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.stream.Stream;

/**
 * The CPU time this JVM's JIT compiler threads alive now have used, as Linux accounts it in {@code
 * /proc/self/task}: the JVM's own figure ({@code CompilationMXBean}) is wall-clock time, which a
 * busy machine stretches. Zero where there is no {@code /proc}.
 */
final class CompilerThreads {
    /** Linux's clock ticks a second in {@code /proc}'s CPU times ({@code USER_HZ}). */
    private static final long TICKS_PER_SECOND = 100;

    private CompilerThreads() {}

    static Duration cpu() {
        try (Stream<Path> tasks = Files.list(Path.of("/proc/self/task"))) {
            long ticks = tasks.mapToLong(CompilerThreads::compilerTicks).sum();
            return Duration.ofMillis(ticks * 1000 / TICKS_PER_SECOND);
        } catch (IOException e) {
            return Duration.ZERO;
        }
    }

    /** The user and system ticks of {@code task} if it is a compiler thread ({@code C1 CompilerThre...}), else 0. */
    private static long compilerTicks(Path task) {
        try {
            return ticks(Files.readString(task.resolve("stat")));
        } catch (IOException | RuntimeException e) {
            return 0; // the thread ended meanwhile
        }
    }

    /**
     * The user and system ticks in a line of {@code /proc/<pid>/task/<tid>/stat} if its name is a JIT
     * compiler thread's, else 0. The name, in parentheses, may hold spaces; the fields after it
     * start with the state (field 3), so utime and stime (fields 14 and 15) are the 12th and 13th.
     */
    static long ticks(String stat) {
        int open = stat.indexOf('(');
        int close = stat.lastIndexOf(')');
        String name = stat.substring(open + 1, close);
        if (!name.matches("C[12] CompilerThre.*")) {
            return 0;
        }
        String[] fields = stat.substring(close + 2).split(" ");
        return Long.parseLong(fields[11]) + Long.parseLong(fields[12]);
    }
}
