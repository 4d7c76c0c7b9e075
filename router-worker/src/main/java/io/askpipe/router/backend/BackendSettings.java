package io.askpipe.router.backend;

import io.askpipe.common.config.Env;
import java.time.Duration;
import java.util.Locale;

/**
 * The backends' settings that the worker itself needs: the time limit of one call to each, and the
 * dryrun backend's latency. Each provider's own settings (URLs, keys, models) are read by its
 * backend.
 *
 * @param defaultTimeout {@code LLM_TIMEOUT_MS}: the time limit of one backend call (default 30000)
 * @param dryrunLatency {@code DRYRUN_LATENCY_MS}: how long the dryrun backend takes (default 0)
 * @param env where per-backend overrides {@code <BACKEND>_TIMEOUT_MS} are read from
 */
public record BackendSettings(Duration defaultTimeout, Duration dryrunLatency, Env env) {

    public static BackendSettings fromEnv(Env env) {
        return new BackendSettings(
                Duration.ofMillis(env.longValue("LLM_TIMEOUT_MS", 30_000, 1, 600_000)),
                Duration.ofMillis(env.longValue("DRYRUN_LATENCY_MS", 0, 0, 600_000)),
                env);
    }

    /** The time limit of one call to {@code backend}: {@code <BACKEND>_TIMEOUT_MS}, else the default. */
    public Duration timeout(String backend) {
        String variable = backend.toUpperCase(Locale.ROOT).replace('-', '_') + "_TIMEOUT_MS";
        return Duration.ofMillis(env.longValue(variable, defaultTimeout.toMillis(), 1, 600_000));
    }
}
