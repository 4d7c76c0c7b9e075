package io.askpipe.bench.cost;

import io.askpipe.bench.batch.Latencies;
import java.util.Arrays;

/**
 * The durations of one step's operations in nanoseconds, every one kept, so that its percentiles
 * are exact nearest ranks ({@link Latencies#percentile}) even for operations of a few
 * microseconds. Thread-safe: a Kafka callback records from the producer's thread.
 */
final class Timings {
    private long[] nanos = new long[1024];
    private int count;

    /** The percentiles in milliseconds; all 0 when nothing was recorded. */
    record Summary(long count, double p50Ms, double p99Ms, double maxMs, double meanMs) {
        static final Summary EMPTY = new Summary(0, 0, 0, 0, 0);
    }

    synchronized void add(long durationNanos) {
        if (count == nanos.length) {
            nanos = Arrays.copyOf(nanos, count * 2);
        }
        nanos[count++] = Math.max(0, durationNanos);
    }

    synchronized long count() {
        return count;
    }

    Summary summary() {
        long[] sorted;
        synchronized (this) {
            sorted = Arrays.copyOf(nanos, count);
        }
        if (sorted.length == 0) {
            return Summary.EMPTY;
        }
        Arrays.sort(sorted);
        return new Summary(
                sorted.length,
                ms(Latencies.percentile(sorted, 50)),
                ms(Latencies.percentile(sorted, 99)),
                ms(sorted[sorted.length - 1]),
                ms(Arrays.stream(sorted).sum() / (double) sorted.length));
    }

    private static double ms(double nanos) {
        return nanos / 1e6;
    }
}
