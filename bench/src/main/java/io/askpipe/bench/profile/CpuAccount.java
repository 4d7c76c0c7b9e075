package io.askpipe.bench.profile;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.Predicate;
import java.util.regex.Pattern;

/**
 * The JVM's CPU, garbage collection and JIT compilation added up from a recording's periodic
 * events, in whatever order they are read. One thread.
 */
final class CpuAccount {
    /** The serial collector's names: its pauses keep one thread busy. */
    private static final Set<String> SERIAL = Set.of("DefNew", "SerialOld");

    /** HotSpot's compiler threads: {@code C1 CompilerThread0}, {@code C2 CompilerThread1}, ... */
    private static final Predicate<String> COMPILER =
            Pattern.compile("(C1|C2|JVMCI) CompilerThread\\d+").asMatchPredicate();

    private final List<Reading> loads = new ArrayList<>();
    private final List<Reading> compilation = new ArrayList<>();
    private Optional<Instant> first = Optional.empty();
    private Optional<Instant> last = Optional.empty();
    private Optional<Integer> hardwareThreads = Optional.empty();
    private Optional<String> collector = Optional.empty();
    private int gcThreads = 1;
    private long collections;
    private Duration pauses = Duration.ZERO;
    private Optional<Duration> gcCpu = Optional.empty();
    private final ThreadCpu threads = new ThreadCpu();

    /** Any event at {@code at}: the recording spans from the first to the last. */
    void seen(Instant at) {
        first = Optional.of(first.filter(f -> f.isBefore(at)).orElse(at));
        last = Optional.of(last.filter(l -> l.isAfter(at)).orElse(at));
    }

    /** {@code jdk.CPULoad}: the JVM's user and system CPU since the previous one, as a share of the machine. */
    void cpuLoad(Instant at, double jvmShareOfMachine) {
        loads.add(new Reading(at, jvmShareOfMachine));
    }

    /** {@code jdk.CPUInformation}. */
    void cpuInformation(int hardwareThreads) {
        this.hardwareThreads = Optional.of(hardwareThreads);
    }

    /** {@code jdk.GCConfiguration}. */
    void gcConfiguration(String young, String old, int parallelThreads) {
        collector = Optional.of(young + "/" + old);
        gcThreads = SERIAL.contains(young) || SERIAL.contains(old) ? 1 : Math.max(1, parallelThreads);
    }

    /** {@code jdk.GarbageCollection}. */
    void garbageCollection(Duration sumOfPauses) {
        collections++;
        pauses = pauses.plus(sumOfPauses);
    }

    /** {@code jdk.GCCPUTime}: the process's user and system CPU during one collection. */
    void gcCpuTime(Duration userAndSystem) {
        gcCpu = Optional.of(gcCpu.orElse(Duration.ZERO).plus(userAndSystem));
    }

    /** {@code jdk.ThreadCPULoad}: a Java thread's user and system load, as a share of all processors. */
    void threadLoad(Instant at, long threadId, String thread, double share) {
        threads.load(at, threadId, thread, share);
    }

    /** {@code jdk.ThreadStart}. */
    void threadStart(long threadId, Instant at) {
        threads.started(threadId, at);
    }

    /** {@code jdk.CompilerStatistics}: the compilers' time since the JVM started. */
    void compilerStatistics(Instant at, Duration totalTimeSpent) {
        compilation.add(new Reading(at, seconds(totalTimeSpent)));
    }

    /** What was added up. */
    JvmCpu result() {
        Duration recorded =
                first.flatMap(f -> last.map(l -> Duration.between(f, l))).orElse(Duration.ZERO);
        return new JvmCpu(
                recorded,
                hardwareThreads.flatMap(this::cpuSeconds),
                hardwareThreads,
                collections,
                seconds(pauses),
                collector,
                gcThreads,
                gcCpu.map(CpuAccount::seconds),
                hardwareThreads.flatMap(
                        processors -> first.flatMap(since -> threads.seconds(COMPILER, since, processors))),
                compileSeconds());
    }

    /** Each reading's share of the machine over the time since the one before it; the first has no such time. */
    private Optional<Double> cpuSeconds(int threads) {
        if (loads.size() < 2) {
            return Optional.empty();
        }
        List<Reading> sorted =
                loads.stream().sorted(Comparator.comparing(Reading::at)).toList();
        double machineSeconds = 0;
        for (int i = 1; i < sorted.size(); i++) {
            machineSeconds += sorted.get(i).value()
                    * seconds(Duration.between(
                            sorted.get(i - 1).at(), sorted.get(i).at()));
        }
        return Optional.of(machineSeconds * threads);
    }

    /** The compilers' time between the first reading and the last: what they spent while recording. */
    private Optional<Double> compileSeconds() {
        if (compilation.size() < 2) {
            return Optional.empty();
        }
        List<Reading> sorted =
                compilation.stream().sorted(Comparator.comparing(Reading::at)).toList();
        return Optional.of(sorted.getLast().value() - sorted.getFirst().value());
    }

    private static double seconds(Duration duration) {
        return duration.toNanos() / 1e9;
    }

    private record Reading(Instant at, double value) {}
}
