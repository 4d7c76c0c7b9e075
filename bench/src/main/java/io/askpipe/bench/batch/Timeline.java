package io.askpipe.bench.batch;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.LongSupplier;

/**
 * The named phases of a run as they begin and end, on the monotonic clock the samples are taken
 * on; phases may overlap (the batch's run holds its validation). Thread-safe.
 */
final class Timeline {
    /** One phase: from {@code startNanos} to {@code endNanos}, both included. */
    record Phase(String name, long startNanos, long endNanos) {
        boolean contains(long atNanos) {
            return atNanos >= startNanos && atNanos <= endNanos;
        }

        double seconds() {
            return (endNanos - startNanos) / 1e9;
        }
    }

    private final LongSupplier clock;
    private final Map<String, Long> open = new LinkedHashMap<>();
    private final List<Phase> phases = new ArrayList<>();

    Timeline(LongSupplier clock) {
        this.clock = clock;
    }

    /** A timeline on {@link System#nanoTime()}. */
    static Timeline system() {
        return new Timeline(System::nanoTime);
    }

    long now() {
        return clock.getAsLong();
    }

    /** Begins {@code name} now, unless it has begun already. */
    synchronized void begin(String name) {
        if (!open.containsKey(name) && phases.stream().noneMatch(p -> p.name().equals(name))) {
            open.put(name, now());
        }
    }

    /** Ends {@code name} now if it is open. */
    synchronized void end(String name) {
        Long start = open.remove(name);
        if (start != null) {
            phases.add(new Phase(name, start, now()));
        }
    }

    /** Whether {@code name} has begun and not ended. */
    synchronized boolean isOpen(String name) {
        return open.containsKey(name);
    }

    /** The phases ended so far, in the order they ended. */
    synchronized List<Phase> phases() {
        return List.copyOf(phases);
    }
}
