package io.askpipe.common.service;

import io.askpipe.common.config.Env;
import io.askpipe.common.config.Setting;
import io.askpipe.common.http.HttpSettings;
import java.util.List;

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
    public static final Setting<String> HOST = Setting.text("OPS_HOST")
            .defaultsTo("127.0.0.1")
            .doc("address the operations server binds: `/metrics`, `/readyz`, `/healthz`");
    /** {@code OPS_PORT} without a default: each deployable gives its own ({@link Setting#defaultsTo}). */
    public static final Setting<Integer> PORT = Setting.integer("OPS_PORT", 0, 65_535)
            .doc("port of the operations server; `0` picks a free one; must not be `HTTP_PORT`");

    /** The default {@code OPS_HOST}. */
    public static final String DEFAULT_HOST = HOST.defaultValue();

    /** Reads the settings, the port as {@code port} (the deployable's variant of {@link #PORT}) says. */
    public static OpsSettings fromEnv(Env env, Setting<Integer> port) {
        return new OpsSettings(env.get(HOST), env.get(port));
    }

    /** The settings {@link #fromEnv} reads, with {@code port}. */
    public static List<Setting<?>> settings(Setting<Integer> port) {
        return List.of(HOST, port);
    }

    /** The HTTP server settings of the operations server. */
    public HttpSettings http() {
        return new HttpSettings(host, port);
    }
}
