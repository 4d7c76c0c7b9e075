package io.askpipe.ingest.api;

import java.security.SecureRandom;
import java.time.Clock;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Generates request ids as RFC 9562 version 7 UUIDs: time-ordered, so that ids sort by acceptance
 * time and index well in PostgreSQL. Within a process they are also strictly increasing: the 12
 * bits after the millisecond are a counter (RFC 9562, 6.2, method 1), started at a random value
 * in each new millisecond and counted up within it, so that ids made in the same millisecond sort
 * in the order they were made (a list "newest first" is then right to the id); a counter that runs
 * over moves on to the next millisecond. The JDK has no v7 generator and the layout is a few
 * lines, so it is written here rather than pulled in. Thread-safe.
 */
public final class RequestIds {
    private static final SecureRandom RANDOM = new SecureRandom();
    /** The last id's millisecond and counter, as {@code millis << 12 | counter}. */
    private static final AtomicLong LAST = new AtomicLong();

    private RequestIds() {}

    public static UUID next(Clock clock) {
        return next(clock, LAST);
    }

    /** The next id after {@code last} (the previous id's millisecond and counter), which it moves on. */
    static UUID next(Clock clock, AtomicLong last) {
        // a new millisecond starts its counter in the lower half, leaving room to count up
        long fresh = (clock.millis() << 12) | RANDOM.nextInt(1 << 11);
        long timeAndCounter = last.updateAndGet(previous -> Math.max(previous + 1, fresh));
        long msb = ((timeAndCounter >>> 12) << 16) | (0x7L << 12) | (timeAndCounter & 0xFFF);
        long lsb = (RANDOM.nextLong() & 0x3FFF_FFFF_FFFF_FFFFL) | 0x8000_0000_0000_0000L;
        return new UUID(msb, lsb);
    }
}
