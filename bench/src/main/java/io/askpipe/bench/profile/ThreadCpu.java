package io.askpipe.bench.profile;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;
import java.util.function.Predicate;

/**
 * Each Java thread's CPU over a recording, added up from its {@code jdk.ThreadCPULoad} events, in
 * whatever order they are read. One thread.
 *
 * <p>The JVM measures every thread in rounds (every 10 s with {@code settings=profile}) and writes
 * an event only for a thread that used 1 ms or more since its last event; the event's load is that
 * CPU over the time since the thread's last round (or since it started), times the processors.
 * So a load stands for the time back to the round before it: the latest earlier instant at which
 * two or more threads' events were written (a round in which a single thread used 1 ms would go
 * unnoticed; the JVM's own periodic threads make that rare), or the thread's start if later.
 */
final class ThreadCpu {
    private final List<Load> loads = new ArrayList<>();
    private final Map<Long, Instant> starts = new HashMap<>();

    /** {@code jdk.ThreadCPULoad}: the thread's user and system load, as shares of all processors. */
    void load(Instant at, long threadId, String thread, double share) {
        loads.add(new Load(at, threadId, thread, share));
    }

    /** {@code jdk.ThreadStart}. */
    void started(long threadId, Instant at) {
        starts.put(threadId, at);
    }

    /**
     * The CPU seconds of the threads whose names {@code match}, if any such thread's load was
     * recorded; {@code since} is where the first round's time begins (the recording's start).
     */
    Optional<Double> seconds(Predicate<String> match, Instant since, int processors) {
        Map<Instant, Integer> perInstant = new HashMap<>();
        loads.forEach(load -> perInstant.merge(load.at(), 1, Integer::sum));
        TreeSet<Instant> rounds = new TreeSet<>();
        perInstant.forEach((at, threads) -> {
            if (threads > 1) {
                rounds.add(at);
            }
        });
        double seconds = 0;
        boolean any = false;
        for (Load load : loads) {
            if (!match.test(load.thread())) {
                continue;
            }
            any = true;
            Instant round = Optional.ofNullable(rounds.lower(load.at())).orElse(since);
            Instant from = Optional.ofNullable(starts.get(load.threadId()))
                    .filter(start -> start.isAfter(round) && start.isBefore(load.at()))
                    .orElse(round);
            seconds += load.share() * Duration.between(from, load.at()).toNanos() / 1e9 * processors;
        }
        return any ? Optional.of(seconds) : Optional.empty();
    }

    private record Load(Instant at, long threadId, String thread, double share) {}
}
