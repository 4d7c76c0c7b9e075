package io.askpipe.common.service;

import io.askpipe.common.config.Env;
import io.askpipe.common.http.HttpSettings;

/**
 * Where a service's operations server listens: {@code /metrics}, {@code /readyz} with its checks
 * and the service's own operator endpoints, apart from the port clients reach. It binds to
 * loopback unless told otherwise, so that a process on a host shows its internals to that host
 * alone; the images set {@code OPS_HOST=0.0.0.0}, where the container's network is the boundary.
 *
 * @param host {@code OPS_HOST} (default 127.0.0.1)
 * @param port {@code OPS_PORT} (default per service: ingest 9464, router 9465, store 9466; 0
 *     picks a free one)
 */
public record OpsSettings(String host, int port) {
    /** The default {@code OPS_HOST}. */
    public static final String DEFAULT_HOST = "127.0.0.1";

    public static OpsSettings fromEnv(Env env, int defaultPort) {
        return new OpsSettings(env.string("OPS_HOST", DEFAULT_HOST), env.integer("OPS_PORT", defaultPort, 0, 65_535));
    }

    /** The HTTP server settings of the operations server. */
    public HttpSettings http() {
        return new HttpSettings(host, port);
    }
}
