package io.askpipe.auth;

import io.askpipe.common.Env;
import java.time.Duration;

/**
 * How client-facing services authenticate.
 *
 * @param cacheTtl {@code AUTH_CACHE_TTL}: how long what an API key resolves to is remembered, and
 *     so the longest a revoked key or disabled user is still admitted (default 10s; 0 disables the
 *     cache)
 */
public record AuthSettings(Duration cacheTtl) {
    public static AuthSettings fromEnv(Env env) {
        return new AuthSettings(
                env.duration("AUTH_CACHE_TTL", Duration.ofSeconds(10), Duration.ZERO, Duration.ofHours(1)));
    }
}
