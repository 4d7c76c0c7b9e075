package io.askpipe.bench.batch;

import java.util.Arrays;

/**
 * Latencies of one run in microseconds, every one kept, so that its percentiles are exact (nearest
 * rank) rather than a histogram's bucket bounds. Thread-safe.
 */
public final class Latencies {
    private long[] micros = new long[1024];
    private int count;

    /** A run's percentiles in milliseconds; all 0 when it recorded nothing. */
    record Summary(long count, double p50Ms, double p90Ms, double p99Ms, double p999Ms, double maxMs) {
        static final Summary EMPTY = new Summary(0, 0, 0, 0, 0, 0);
    }

    synchronized void add(long valueMicros) {
        if (count == micros.length) {
            micros = Arrays.copyOf(micros, count * 2);
        }
        micros[count++] = Math.max(0, valueMicros);
    }

    synchronized long count() {
        return count;
    }

    /** The percentiles of what was recorded so far. */
    Summary summary() {
        long[] sorted;
        synchronized (this) {
            sorted = Arrays.copyOf(micros, count);
        }
        Arrays.sort(sorted);
        if (sorted.length == 0) {
            return Summary.EMPTY;
        }
        return new Summary(
                sorted.length,
                ms(percentile(sorted, 50)),
                ms(percentile(sorted, 90)),
                ms(percentile(sorted, 99)),
                ms(percentile(sorted, 99.9)),
                ms(sorted[sorted.length - 1]));
    }

    /**
     * The nearest-rank {@code percentile} (0 to 100) of {@code sorted}, which is in ascending order
     * and not empty: the smallest value that at least that share of the values are at or below.
     */
    public static long percentile(long[] sorted, double percentile) {
        // less a hair, so that 99.9 % of 1000 values is rank 999 although 99.9 is not exact in binary
        int rank = (int) Math.ceil(percentile * sorted.length / 100 - 1e-9);
        return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1];
    }

    private static double ms(long micros) {
        return micros / 1000.0;
    }
}
