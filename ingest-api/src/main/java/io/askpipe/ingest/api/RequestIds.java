package io.askpipe.ingest.api;

import java.security.SecureRandom;
import java.time.Clock;
import java.util.UUID;

/**
 * Generates request ids as RFC 9562 version 7 UUIDs: time-ordered, so that ids sort by acceptance
 * time and index well in PostgreSQL. The JDK has no v7 generator and the layout is twelve lines,
 * so it is written here rather than pulled in. Thread-safe.
 */
public final class RequestIds {
    private static final SecureRandom RANDOM = new SecureRandom();

    private RequestIds() {}

    public static UUID next(Clock clock) {
        long millis = clock.millis();
        long randA = RANDOM.nextInt(1 << 12);
        long randB = RANDOM.nextLong();
        long msb = (millis << 16) | (0x7L << 12) | randA;
        long lsb = (randB & 0x3FFF_FFFF_FFFF_FFFFL) | 0x8000_0000_0000_0000L;
        return new UUID(msb, lsb);
    }
}
