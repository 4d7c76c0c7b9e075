package io.askpipe.ingest.quota;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The IETF {@code RateLimit-Policy} and {@code RateLimit} fields (draft-ietf-httpapi-ratelimit-headers,
 * structured-field lists) of the quotas that apply to a user: {@code "rpm";q=60;w=60} and {@code
 * "rpm";r=12;t=5}; {@code "in-flight";q=10;qu="concurrent-requests"} and {@code "in-flight";r=3};
 * {@code "monthly-tokens";q=1000000;qu="tokens";w=2592000} and {@code "monthly-tokens";r=5400;t=86400}.
 * {@code t} is the seconds until one more ask passes when {@code r} is 0, else until the quota is
 * whole again. Not thread-safe; one per answer.
 */
final class RateLimitFields {
    static final String POLICY = "RateLimit-Policy";
    static final String STATE = "RateLimit";

    private final List<String> policies = new ArrayList<>();
    private final List<String> states = new ArrayList<>();

    /** Adds the asks-a-minute policy: {@code remaining} asks left, {@code reset} seconds. */
    RateLimitFields rpm(int quota, long remaining, long reset) {
        policies.add("\"rpm\";q=" + quota + ";w=60");
        states.add("\"rpm\";r=" + remaining + ";t=" + reset);
        return this;
    }

    /** Adds the in-flight policy: {@code remaining} more asks may be queued or running. */
    RateLimitFields inFlight(int quota, long remaining) {
        policies.add("\"in-flight\";q=" + quota + ";qu=\"concurrent-requests\"");
        states.add("\"in-flight\";r=" + remaining);
        return this;
    }

    /** Adds the monthly token budget of a month of {@code window} seconds, {@code reset} seconds left. */
    RateLimitFields monthlyTokens(long quota, long window, long remaining, long reset) {
        policies.add("\"monthly-tokens\";q=" + quota + ";qu=\"tokens\";w=" + window);
        states.add("\"monthly-tokens\";r=" + remaining + ";t=" + reset);
        return this;
    }

    /** The two fields; empty when no quota applies. */
    Map<String, String> headers() {
        if (policies.isEmpty()) {
            return Map.of();
        }
        return Map.of(POLICY, String.join(", ", policies), STATE, String.join(", ", states));
    }
}
