package io.askpipe.router.resilience;

import io.askpipe.common.config.Env;
import io.askpipe.common.config.Setting;
import java.time.Duration;
import java.util.List;

/**
 * How hard the worker tries before it gives an ask a failed result.
 *
 * @param askDeadline {@code ROUTER_ASK_DEADLINE_MS}: the whole budget of one ask's backend work,
 *     retries and fallbacks included, counted from when the worker starts on it (default 120000);
 *     no attempt starts and no backoff ends past it
 * @param maxAttempts {@code ROUTER_RETRY_MAX_ATTEMPTS}: calls per backend for retriable failures
 *     (default 3)
 * @param initialBackoff {@code ROUTER_RETRY_BACKOFF_MS}: the first wait between attempts, doubled
 *     each time with ±50% jitter; a longer {@code Retry-After} wins (default 250)
 * @param circuitFailureRate {@code ROUTER_CIRCUIT_FAILURE_RATE}: percentage of failed calls among
 *     the last {@code circuitWindow} (at least half as many) that opens a backend's circuit
 *     (default 50)
 * @param circuitWindow {@code ROUTER_CIRCUIT_WINDOW}: how many of a backend's latest calls the
 *     failure rate is taken over (default 100). Many asks run at once, and failures often answer
 *     sooner than successes, so a window much smaller than the asks in flight sees a burst's
 *     failures first and opens on a rate the backend does not have
 * @param circuitOpen {@code ROUTER_CIRCUIT_OPEN_MS}: how long an open circuit fails fast before
 *     letting trial calls through (default 30000)
 */
public record ResilienceSettings(
        Duration askDeadline,
        int maxAttempts,
        Duration initialBackoff,
        int circuitFailureRate,
        int circuitWindow,
        Duration circuitOpen) {

    public static final Setting<Duration> ASK_DEADLINE = Setting.millis("ROUTER_ASK_DEADLINE_MS", 1, 3_600_000)
            .defaultsTo("120000")
            .doc("budget of one ask's backend work, retries and fallbacks included");
    public static final Setting<Integer> MAX_ATTEMPTS = Setting.integer("ROUTER_RETRY_MAX_ATTEMPTS", 1, 20)
            .defaultsTo("3")
            .doc("calls per backend for retriable failures");
    public static final Setting<Duration> INITIAL_BACKOFF = Setting.millis("ROUTER_RETRY_BACKOFF_MS", 1, 60_000)
            .defaultsTo("250")
            .doc("first wait between attempts; doubles each time, with jitter");
    public static final Setting<Integer> CIRCUIT_FAILURE_RATE = Setting.integer("ROUTER_CIRCUIT_FAILURE_RATE", 1, 100)
            .defaultsTo("50")
            .doc("percentage of retriable failures among a backend's last calls that opens its circuit");
    public static final Setting<Integer> CIRCUIT_WINDOW = Setting.integer("ROUTER_CIRCUIT_WINDOW", 2, 100_000)
            .defaultsTo("100")
            .doc("how many of a backend's latest calls the failure rate is taken over");
    public static final Setting<Duration> CIRCUIT_OPEN = Setting.millis("ROUTER_CIRCUIT_OPEN_MS", 1, 3_600_000)
            .defaultsTo("30000")
            .doc("how long an open circuit stays open before trial calls may close it");

    public static ResilienceSettings fromEnv(Env env) {
        return new ResilienceSettings(
                env.get(ASK_DEADLINE),
                env.get(MAX_ATTEMPTS),
                env.get(INITIAL_BACKOFF),
                env.get(CIRCUIT_FAILURE_RATE),
                env.get(CIRCUIT_WINDOW),
                env.get(CIRCUIT_OPEN));
    }

    /** The settings {@link #fromEnv} reads. */
    public static List<Setting<?>> settings() {
        return List.of(ASK_DEADLINE, MAX_ATTEMPTS, INITIAL_BACKOFF, CIRCUIT_FAILURE_RATE, CIRCUIT_WINDOW, CIRCUIT_OPEN);
    }
}
