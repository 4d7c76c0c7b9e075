package io.askpipe.store.webhook;

import io.askpipe.common.callback.CallbackPolicy;
import io.askpipe.common.config.Env;
import io.askpipe.common.config.Setting;
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

    public static final Setting<List<Duration>> RETRY_SCHEDULE = Setting.durations(
                    "WEBHOOK_RETRY_SCHEDULE", Duration.ZERO, Duration.ofDays(7))
            .defaultsTo("5s,5m,30m,2h,5h,10h,10h")
            .doc("delays before the 2nd, 3rd, ... attempt of a webhook; the first is immediate");
    public static final Setting<Integer> RETRY_JITTER_PERCENT = Setting.integer("WEBHOOK_RETRY_JITTER_PERCENT", 0, 100)
            .defaultsTo("20")
            .doc("each delay moves at random by up to this share of itself, either way");
    public static final Setting<Duration> TIMEOUT = Setting.duration(
                    "WEBHOOK_TIMEOUT", Duration.ofMillis(100), Duration.ofMinutes(5))
            .defaultsTo("10s")
            .doc("time limit of one attempt, connecting included");
    public static final Setting<Integer> CONCURRENCY = Setting.integer("WEBHOOK_CONCURRENCY", 1, 10_000)
            .defaultsTo("32")
            .doc("attempts in flight at once on one instance");
    public static final Setting<Integer> MAX_IN_FLIGHT_PER_USER = Setting.integer(
                    "WEBHOOK_MAX_IN_FLIGHT_PER_USER", 1, 10_000)
            .defaultsTo("8")
            .doc("attempts in flight at once on one instance for one user's deliveries");
    public static final Setting<Integer> MAX_IN_FLIGHT_PER_HOST = Setting.integer(
                    "WEBHOOK_MAX_IN_FLIGHT_PER_HOST", 1, 10_000)
            .defaultsTo("16")
            .doc("attempts in flight at once on one instance to one destination (host and port)");
    public static final Setting<Duration> POLL_INTERVAL = Setting.duration(
                    "WEBHOOK_POLL_INTERVAL", Duration.ofMillis(10), Duration.ofMinutes(10))
            .defaultsTo("1s")
            .doc("how often the outbox is checked for retries that fell due");
    public static final Setting<Duration> SECRET_GRACE = Setting.duration(
                    "WEBHOOK_SECRET_GRACE", Duration.ZERO, Duration.ofDays(30))
            .defaultsTo("24h")
            .doc("how long a rotated-out signing secret keeps signing beside the new one");
    public static final Setting<Integer> RESEND_LIMIT = Setting.integer("WEBHOOK_RESEND_LIMIT", 1, 1_000_000)
            .defaultsTo("30")
            .doc("re-sends one user may ask for per `WEBHOOK_RESEND_WINDOW` on one instance");
    public static final Setting<Duration> RESEND_WINDOW = Setting.duration(
                    "WEBHOOK_RESEND_WINDOW", Duration.ofSeconds(1), Duration.ofDays(1))
            .defaultsTo("1m")
            .doc("the window of `WEBHOOK_RESEND_LIMIT`");

    static final List<Duration> DEFAULT_SCHEDULE = RETRY_SCHEDULE.defaultValue();

    /** The longest a receiver's {@code Retry-After} may push the next attempt back. */
    static final Duration MAX_RETRY_AFTER = Duration.ofDays(1);

    public WebhookSettings {
        retrySchedule = List.copyOf(retrySchedule);
    }

    public static WebhookSettings fromEnv(Env env) {
        return new WebhookSettings(
                CallbackPolicy.fromEnv(env),
                env.get(RETRY_SCHEDULE),
                env.get(RETRY_JITTER_PERCENT),
                env.get(TIMEOUT),
                env.get(CONCURRENCY),
                env.get(MAX_IN_FLIGHT_PER_USER),
                env.get(MAX_IN_FLIGHT_PER_HOST),
                env.get(POLL_INTERVAL),
                env.get(SECRET_GRACE),
                env.get(RESEND_LIMIT),
                env.get(RESEND_WINDOW));
    }

    /** The settings {@link #fromEnv} reads, the callback guard's among them. */
    public static List<Setting<?>> settings() {
        return Setting.union(
                CallbackPolicy.settings(),
                List.of(
                        RETRY_SCHEDULE,
                        RETRY_JITTER_PERCENT,
                        TIMEOUT,
                        CONCURRENCY,
                        MAX_IN_FLIGHT_PER_USER,
                        MAX_IN_FLIGHT_PER_HOST,
                        POLL_INTERVAL,
                        SECRET_GRACE,
                        RESEND_LIMIT,
                        RESEND_WINDOW));
    }

    /** Attempts a delivery gets in one round of the schedule. */
    int maxAttempts() {
        return retrySchedule.size() + 1;
    }
}
