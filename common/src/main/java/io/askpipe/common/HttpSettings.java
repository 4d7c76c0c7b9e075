package io.askpipe.common;

/**
 * Where a service's HTTP server listens, and how large a request's head may be.
 *
 * @param host {@code HTTP_HOST} (default 0.0.0.0)
 * @param port {@code HTTP_PORT} (default 8080; 0 picks a free one)
 * @param maxHeaderBytes {@code HTTP_MAX_HEADER_BYTES}: all header lines together (default 16384);
 *     more is a 431 problem
 */
public record HttpSettings(String host, int port, int maxHeaderBytes) {
    /** The default {@code HTTP_MAX_HEADER_BYTES}. */
    public static final int DEFAULT_MAX_HEADER_BYTES = 16 * 1024;

    public HttpSettings(String host, int port) {
        this(host, port, DEFAULT_MAX_HEADER_BYTES);
    }

    public static HttpSettings fromEnv(Env env, int defaultPort) {
        return new HttpSettings(
                env.string("HTTP_HOST", "0.0.0.0"),
                env.integer("HTTP_PORT", defaultPort, 0, 65_535),
                env.integer("HTTP_MAX_HEADER_BYTES", DEFAULT_MAX_HEADER_BYTES, 1024, 1024 * 1024));
    }
}
