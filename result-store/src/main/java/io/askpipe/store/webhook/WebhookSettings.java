package io.askpipe.store.webhook;

import io.askpipe.common.callback.CallbackPolicy;
import io.askpipe.common.config.Env;
import java.time.Duration;
import java.util.List;

/**
 * How the result store delivers webhooks.
 *
 * @param callbacks which callback addresses may be called (re-checked before every attempt)
 * @param retrySchedule {@code WEBHOOK_RETRY_SCHEDULE}: the delays before the 2nd, 3rd, ... attempt;
 *     the first is immediate (default {@code 5s,5m,30m,2h,5h,10h,10h}: 8 attempts over about 28
 *     hours)
 * @param jitterPercent {@code WEBHOOK_RETRY_JITTER_PERCENT}: each delay is moved at random by up to
 *     this share of it, either way, so that receivers recovering from an outage are not hit by every
 *     retry at once (default 20)
 * @param timeout {@code WEBHOOK_TIMEOUT}: how long one attempt may take, connecting included
 *     (default 10s)
 * @param concurrency {@code WEBHOOK_CONCURRENCY}: attempts in flight at once per instance (default 32)
 * @param maxInFlightPerUser {@code WEBHOOK_MAX_IN_FLIGHT_PER_USER}: attempts in flight at once per
 *     instance for one user's deliveries (default 8), so that one user's receiver that hangs holds
 *     at most this many of the {@code concurrency} slots
 * @param maxInFlightPerHost {@code WEBHOOK_MAX_IN_FLIGHT_PER_HOST}: attempts in flight at once per
 *     instance to one destination, the callback URL's host and port (default 16), whoever's
 *     deliveries they are
 * @param pollInterval {@code WEBHOOK_POLL_INTERVAL}: how often the outbox is checked for due retries;
 *     new deliveries are announced and start at once (default 1s)
 * @param secretGrace {@code WEBHOOK_SECRET_GRACE}: how long a rotated-out signing secret keeps
 *     signing alongside the new one (default 24h)
 * @param resendLimit {@code WEBHOOK_RESEND_LIMIT}: re-sends ({@code POST /v1/ask/{id}/webhook/resend})
 *     one user may ask for per {@code resendWindow} on one instance; more are a 429 problem
 *     (default 30)
 * @param resendWindow {@code WEBHOOK_RESEND_WINDOW}: the window of {@code resendLimit} (default 1m)
 */
public record WebhookSettings(
        CallbackPolicy callbacks,
        List<Duration> retrySchedule,
        int jitterPercent,
        Duration timeout,
        int concurrency,
        int maxInFlightPerUser,
        int maxInFlightPerHost,
        Duration pollInterval,
        Duration secretGrace,
        int resendLimit,
        Duration resendWindow) {

    static final List<Duration> DEFAULT_SCHEDULE = List.of(
            Duration.ofSeconds(5),
            Duration.ofMinutes(5),
            Duration.ofMinutes(30),
            Duration.ofHours(2),
            Duration.ofHours(5),
            Duration.ofHours(10),
            Duration.ofHours(10));

    /** The longest a receiver's {@code Retry-After} may push the next attempt back. */
    static final Duration MAX_RETRY_AFTER = Duration.ofDays(1);

    public WebhookSettings {
        retrySchedule = List.copyOf(retrySchedule);
    }

    public static WebhookSettings fromEnv(Env env) {
        return new WebhookSettings(
                CallbackPolicy.fromEnv(env),
                env.durations("WEBHOOK_RETRY_SCHEDULE", DEFAULT_SCHEDULE, Duration.ZERO, Duration.ofDays(7)),
                env.integer("WEBHOOK_RETRY_JITTER_PERCENT", 20, 0, 100),
                env.duration("WEBHOOK_TIMEOUT", Duration.ofSeconds(10), Duration.ofMillis(100), Duration.ofMinutes(5)),
                env.integer("WEBHOOK_CONCURRENCY", 32, 1, 10_000),
                env.integer("WEBHOOK_MAX_IN_FLIGHT_PER_USER", 8, 1, 10_000),
                env.integer("WEBHOOK_MAX_IN_FLIGHT_PER_HOST", 16, 1, 10_000),
                env.duration(
                        "WEBHOOK_POLL_INTERVAL", Duration.ofSeconds(1), Duration.ofMillis(10), Duration.ofMinutes(10)),
                env.duration("WEBHOOK_SECRET_GRACE", Duration.ofHours(24), Duration.ZERO, Duration.ofDays(30)),
                env.integer("WEBHOOK_RESEND_LIMIT", 30, 1, 1_000_000),
                env.duration(
                        "WEBHOOK_RESEND_WINDOW", Duration.ofMinutes(1), Duration.ofSeconds(1), Duration.ofDays(1)));
    }

    /** Attempts a delivery gets in one round of the schedule. */
    int maxAttempts() {
        return retrySchedule.size() + 1;
    }
}
