package io.askpipe.auth;

import io.askpipe.common.config.Env;
import io.askpipe.common.config.Setting;
import java.time.Duration;
import java.util.List;

/**
 * How client-facing services authenticate.
 *
 * @param cacheTtl {@code AUTH_CACHE_TTL}: how long what an API key resolves to is remembered, and
 *     so the longest a revoked key or disabled user is still admitted (default 10s; 0 disables the
 *     cache)
 * @param lookupTimeout {@code AUTH_LOOKUP_TIMEOUT_MS}: the longest a request waits for its key to be
 *     looked up in the database before it is answered 503 (default 2000 ms)
 */
public record AuthSettings(Duration cacheTtl, Duration lookupTimeout) {
    public static final Setting<Duration> CACHE_TTL = Setting.duration(
                    "AUTH_CACHE_TTL", Duration.ZERO, Duration.ofHours(1))
            .defaultsTo("10s")
            .doc("how long what an API key resolves to is remembered per process; `0` looks up every request");
    public static final Setting<Duration> LOOKUP_TIMEOUT = Setting.millis("AUTH_LOOKUP_TIMEOUT_MS", 100, 60_000)
            .defaultsTo("2000")
            .doc("the longest a request waits for its API key to be looked up; past it, `503`");

    public static final Duration DEFAULT_LOOKUP_TIMEOUT = LOOKUP_TIMEOUT.defaultValue();

    /** Settings with {@code cacheTtl} and the default lookup timeout. */
    public AuthSettings(Duration cacheTtl) {
        this(cacheTtl, DEFAULT_LOOKUP_TIMEOUT);
    }

    public static AuthSettings fromEnv(Env env) {
        return new AuthSettings(env.get(CACHE_TTL), env.get(LOOKUP_TIMEOUT));
    }

    /** The settings {@link #fromEnv} reads. */
    public static List<Setting<?>> settings() {
        return List.of(CACHE_TTL, LOOKUP_TIMEOUT);
    }
}
