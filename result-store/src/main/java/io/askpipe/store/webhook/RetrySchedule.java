package io.askpipe.store.webhook;

import io.askpipe.common.http.RetryAfter;
import java.time.Clock;
import java.time.Duration;
import java.util.Optional;
import java.util.random.RandomGenerator;

/**
 * When a failed delivery's next attempt is due: the schedule's delay for the attempt's place in its
 * round, jittered, or the receiver's {@code Retry-After} when that asks for longer.
 *
 * <p>The schedule is {@code WEBHOOK_RETRY_SCHEDULE}; each delay is moved at random by up to {@code
 * WEBHOOK_RETRY_JITTER_PERCENT} of it, either way, so that receivers recovering from an outage are
 * not hit by every retry at once. A {@code Retry-After} (seconds, or an HTTP date measured from the
 * clock) pushes the next attempt back, by at most {@link WebhookSettings#MAX_RETRY_AFTER}; it never
 * brings one forward. Thread-safe: concurrent attempts share it.
 */
final class RetrySchedule {
    private final WebhookSettings settings;
    private final RandomGenerator random;
    private final Clock clock;

    /** The schedule of {@code settings}, jittered with {@code random}; {@code clock} reads HTTP dates. */
    RetrySchedule(WebhookSettings settings, RandomGenerator random, Clock clock) {
        this.settings = settings;
        this.random = random;
        this.clock = clock;
    }

    /** Whether attempt {@code round} (counted from 1 within its round) was the round's last. */
    boolean last(int round) {
        return round >= settings.maxAttempts();
    }

    /**
     * How long after a failed attempt {@code round} (not the {@link #last} one) the next one is due,
     * given the receiver's {@code Retry-After} header, if it sent one.
     */
    Duration delay(int round, Optional<String> retryAfter) {
        Duration delay = jittered(settings.retrySchedule().get(round - 1));
        Optional<Duration> asked = retryAfter.flatMap(value -> RetryAfter.parse(value, clock));
        if (asked.isPresent() && asked.get().compareTo(delay) > 0) {
            delay = asked.get().compareTo(WebhookSettings.MAX_RETRY_AFTER) > 0
                    ? WebhookSettings.MAX_RETRY_AFTER
                    : asked.get();
        }
        return delay;
    }

    private Duration jittered(Duration delay) {
        if (settings.jitterPercent() == 0 || delay.isZero()) {
            return delay;
        }
        double share = settings.jitterPercent() / 100.0;
        double draw;
        synchronized (this) { // a RandomGenerator need not be thread-safe
            draw = random.nextDouble();
        }
        double factor = 1 + share * (2 * draw - 1);
        return Duration.ofMillis(Math.round(delay.toMillis() * factor));
    }
}
