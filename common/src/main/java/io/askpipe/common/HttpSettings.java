package io.askpipe.common;

/**
 * Where a service's HTTP server listens.
 *
 * @param host {@code HTTP_HOST} (default 0.0.0.0)
 * @param port {@code HTTP_PORT} (default 8080; 0 picks a free port)
 */
public record HttpSettings(String host, int port) {
    public static HttpSettings fromEnv(Env env, int defaultPort) {
        return new HttpSettings(env.string("HTTP_HOST", "0.0.0.0"), env.integer("HTTP_PORT", defaultPort, 0, 65_535));
    }
}
