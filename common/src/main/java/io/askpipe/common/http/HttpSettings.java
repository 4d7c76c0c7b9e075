package io.askpipe.common.http;

import io.askpipe.common.config.Env;

/**
 * Where a service's HTTP server listens, how large a request's head may be, how long a connection
 * may stay idle and how many may be open.
 *
 * @param host {@code HTTP_HOST} (default 0.0.0.0)
 * @param port {@code HTTP_PORT} (default 8080; 0 picks a free one)
 * @param maxHeaderBytes {@code HTTP_MAX_HEADER_BYTES}: all header lines together (default 16384);
 *     more is a 431 problem
 * @param idleTimeoutMs {@code HTTP_IDLE_TIMEOUT_MS}: a connection on which nothing is read or
 *     written for this long is closed (default 75000: longer than the longest long poll, 30 s, and
 *     than the 60 s idle timeout of common load balancers, so that they close first)
 * @param maxConnections {@code HTTP_MAX_CONNECTIONS}: connections open at once; one more is closed
 *     as soon as it is accepted (default 20000)
 */
public record HttpSettings(String host, int port, int maxHeaderBytes, int idleTimeoutMs, int maxConnections) {
    /** The default {@code HTTP_MAX_HEADER_BYTES}. */
    public static final int DEFAULT_MAX_HEADER_BYTES = 16 * 1024;
    /** The default {@code HTTP_IDLE_TIMEOUT_MS}. */
    public static final int DEFAULT_IDLE_TIMEOUT_MS = 75_000;
    /** The default {@code HTTP_MAX_CONNECTIONS}. */
    public static final int DEFAULT_MAX_CONNECTIONS = 20_000;

    public HttpSettings(String host, int port) {
        this(host, port, DEFAULT_MAX_HEADER_BYTES, DEFAULT_IDLE_TIMEOUT_MS, DEFAULT_MAX_CONNECTIONS);
    }

    public static HttpSettings fromEnv(Env env, int defaultPort) {
        return new HttpSettings(
                env.string("HTTP_HOST", "0.0.0.0"),
                env.integer("HTTP_PORT", defaultPort, 0, 65_535),
                env.integer("HTTP_MAX_HEADER_BYTES", DEFAULT_MAX_HEADER_BYTES, 1024, 1024 * 1024),
                env.integer("HTTP_IDLE_TIMEOUT_MS", DEFAULT_IDLE_TIMEOUT_MS, 100, 3_600_000),
                env.integer("HTTP_MAX_CONNECTIONS", DEFAULT_MAX_CONNECTIONS, 1, 1_000_000));
    }
}
