package io.askpipe.router.resilience;

import io.askpipe.common.config.Env;
import java.time.Duration;

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

    public static ResilienceSettings fromEnv(Env env) {
        return new ResilienceSettings(
                Duration.ofMillis(env.longValue("ROUTER_ASK_DEADLINE_MS", 120_000, 1, 3_600_000)),
                env.integer("ROUTER_RETRY_MAX_ATTEMPTS", 3, 1, 20),
                Duration.ofMillis(env.longValue("ROUTER_RETRY_BACKOFF_MS", 250, 1, 60_000)),
                env.integer("ROUTER_CIRCUIT_FAILURE_RATE", 50, 1, 100),
                env.integer("ROUTER_CIRCUIT_WINDOW", 100, 2, 100_000),
                Duration.ofMillis(env.longValue("ROUTER_CIRCUIT_OPEN_MS", 30_000, 1, 3_600_000)));
    }

    static ResilienceSettings defaults() {
        return new ResilienceSettings(
                Duration.ofMinutes(2), 3, Duration.ofMillis(250), 50, 100, Duration.ofSeconds(30));
    }
}
