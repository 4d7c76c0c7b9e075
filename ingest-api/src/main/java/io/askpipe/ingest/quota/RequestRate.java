package io.askpipe.ingest.quota;

/**
 * A user's asks a minute as a token bucket of {@code rpm} asks refilled over a minute, in its
 * one-number form, the generic cell rate algorithm: the user's row holds the theoretical arrival
 * time (TAT) of their next ask, and an ask at {@code now} is admitted when {@code max(tat, now) +
 * interval - now} stays within the minute, the new TAT. All times in microseconds since the epoch.
 */
record RequestRate(int rpm) {
    /** The window of the policy, a minute. */
    static final long WINDOW_US = 60_000_000L;

    private static final long SECOND_US = 1_000_000L;

    RequestRate {
        if (rpm <= 0) {
            throw new IllegalArgumentException("a rate of " + rpm + " a minute");
        }
    }

    /** The time one ask takes of the bucket: a minute over the rate. */
    long intervalUs() {
        return WINDOW_US / rpm;
    }

    /** The asks still allowed right now, after an admitted ask moved the TAT to {@code tatUs}. */
    long remaining(long tatUs, long nowUs) {
        return Math.max(0, Math.min(rpm, (WINDOW_US - (tatUs - nowUs)) / intervalUs()));
    }

    /** Whole seconds, rounded up, until the bucket is full again. */
    long secondsUntilFull(long tatUs, long nowUs) {
        return ceilSeconds(Math.max(0, tatUs - nowUs));
    }

    /** Whole seconds, rounded up and at least one, until an ask refused at {@code nowUs} would pass. */
    long retryAfterSeconds(long tatUs, long nowUs) {
        long wait = Math.max(tatUs, nowUs) + intervalUs() - WINDOW_US - nowUs;
        return Math.max(1, ceilSeconds(wait));
    }

    private static long ceilSeconds(long micros) {
        return (micros + SECOND_US - 1) / SECOND_US;
    }
}
