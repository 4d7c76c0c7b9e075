package io.askpipe.store.api;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.askpipe.common.http.ProblemException;
import io.github.resilience4j.ratelimiter.RateLimiter;
import io.github.resilience4j.ratelimiter.RateLimiterConfig;
import io.github.resilience4j.ratelimiter.internal.AtomicRateLimiter;
import java.time.Duration;
import java.util.Map;

/**
 * The per-user limit on webhook re-sends ({@code POST /v1/ask/{id}/webhook/resend}): at most {@code
 * limit} per {@code window} and user on this instance, a resilience4j {@link RateLimiter} per user
 * kept in a bounded Caffeine cache. Each answer carries the IETF {@code RateLimit-Policy} and {@code
 * RateLimit} fields; one over the limit is a 429 problem with {@code Retry-After}. Thread-safe.
 */
public final class ResendLimiter {
    /** The policy's name in the {@code RateLimit} fields. */
    static final String POLICY = "resend";

    private static final int MAX_USERS = 100_000;

    private final RateLimiterConfig config;
    private final Cache<String, RateLimiter> limiters;
    private final String policy;

    public ResendLimiter(int limit, Duration window) {
        this.config = RateLimiterConfig.custom()
                .limitForPeriod(limit)
                .limitRefreshPeriod(window)
                .timeoutDuration(Duration.ZERO)
                .build();
        // a user's limiter unused for two windows has refilled: forgetting it loses nothing
        this.limiters = Caffeine.newBuilder()
                .maximumSize(MAX_USERS)
                .expireAfterAccess(window.multipliedBy(2))
                .build();
        this.policy = "\"" + POLICY + "\";q=" + limit + ";w=" + Math.max(1, window.toSeconds());
    }

    /**
     * Takes one re-send of {@code userId}'s allowance and returns the {@code RateLimit} fields for
     * the answer; throws the 429 problem when none is left.
     */
    Map<String, String> acquire(String userId) {
        RateLimiter limiter = limiters.get(userId, user -> RateLimiter.of(POLICY, config));
        if (limiter.acquirePermission()) {
            int remaining = Math.max(0, limiter.getMetrics().getAvailablePermissions());
            return Map.of("RateLimit-Policy", policy, "RateLimit", "\"" + POLICY + "\";r=" + remaining);
        }
        long nanos = ((AtomicRateLimiter) limiter).getDetailedMetrics().getNanosToWait();
        // whole seconds, rounded up: a client that waits as told finds its allowance refilled
        long seconds = Math.max(1, (nanos + 999_999_999L) / 1_000_000_000L);
        throw ProblemException.rateLimited(
                "Too many webhook re-sends; try again in " + seconds + " s",
                Duration.ofSeconds(seconds),
                Map.of("RateLimit-Policy", policy, "RateLimit", "\"" + POLICY + "\";r=0;t=" + seconds));
    }
}
