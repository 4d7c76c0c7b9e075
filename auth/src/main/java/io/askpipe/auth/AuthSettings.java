package io.askpipe.auth;

import io.askpipe.common.config.Env;
import java.time.Duration;

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
    public static final Duration DEFAULT_LOOKUP_TIMEOUT = Duration.ofSeconds(2);

    /** Settings with {@code cacheTtl} and the default lookup timeout. */
    public AuthSettings(Duration cacheTtl) {
        this(cacheTtl, DEFAULT_LOOKUP_TIMEOUT);
    }

    public static AuthSettings fromEnv(Env env) {
        return new AuthSettings(
                env.duration("AUTH_CACHE_TTL", Duration.ofSeconds(10), Duration.ZERO, Duration.ofHours(1)),
                Duration.ofMillis(
                        env.integer("AUTH_LOOKUP_TIMEOUT_MS", (int) DEFAULT_LOOKUP_TIMEOUT.toMillis(), 100, 60_000)));
    }
}
