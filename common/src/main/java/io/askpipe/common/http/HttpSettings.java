package io.askpipe.common.http;

import io.askpipe.common.config.Env;
import io.askpipe.common.config.Setting;
import java.util.List;

/**
 * Where a service's HTTP server listens, how large a request's head may be, how long a connection
 * may stay idle and how many may be open.
 *
 * @param host {@code HTTP_HOST} (default 0.0.0.0)
 * @param port {@code HTTP_PORT} (default per deployable; 0 picks a free one)
 * @param maxHeaderBytes {@code HTTP_MAX_HEADER_BYTES}: all header lines together (default 16384);
 *     more is a 431 problem
 * @param idleTimeoutMs {@code HTTP_IDLE_TIMEOUT_MS}: a connection on which nothing is read or
 *     written for this long is closed (default 75000: longer than the longest long poll, 30 s, and
 *     than the 60 s idle timeout of common load balancers, so that they close first)
 * @param maxConnections {@code HTTP_MAX_CONNECTIONS}: connections open at once; one more is closed
 *     as soon as it is accepted (default 20000)
 */
public record HttpSettings(String host, int port, int maxHeaderBytes, int idleTimeoutMs, int maxConnections) {
    public static final Setting<String> HOST =
            Setting.text("HTTP_HOST").defaultsTo("0.0.0.0").doc("address the HTTP server binds");
    /** {@code HTTP_PORT} without a default: each deployable gives its own ({@link Setting#defaultsTo}). */
    public static final Setting<Integer> PORT = Setting.integer("HTTP_PORT", 0, 65_535)
            .doc("port of the HTTP server for clients (the API and `/healthz`); `0` picks a free one");

    public static final Setting<Integer> MAX_HEADER_BYTES = Setting.integer("HTTP_MAX_HEADER_BYTES", 1024, 1024 * 1024)
            .defaultsTo("16384")
            .doc("largest request head, all header lines together; larger is `431`");
    public static final Setting<Integer> IDLE_TIMEOUT_MS = Setting.integer("HTTP_IDLE_TIMEOUT_MS", 100, 3_600_000)
            .defaultsTo("75000")
            .doc("a connection on which nothing is read or written for this long is closed");
    public static final Setting<Integer> MAX_CONNECTIONS = Setting.integer("HTTP_MAX_CONNECTIONS", 1, 1_000_000)
            .defaultsTo("20000")
            .doc("connections the HTTP server keeps open at once; one more is closed as soon as it is accepted");

    /** The default {@code HTTP_MAX_HEADER_BYTES}. */
    public static final int DEFAULT_MAX_HEADER_BYTES = MAX_HEADER_BYTES.defaultValue();
    /** The default {@code HTTP_IDLE_TIMEOUT_MS}. */
    public static final int DEFAULT_IDLE_TIMEOUT_MS = IDLE_TIMEOUT_MS.defaultValue();
    /** The default {@code HTTP_MAX_CONNECTIONS}. */
    public static final int DEFAULT_MAX_CONNECTIONS = MAX_CONNECTIONS.defaultValue();

    public HttpSettings(String host, int port) {
        this(host, port, DEFAULT_MAX_HEADER_BYTES, DEFAULT_IDLE_TIMEOUT_MS, DEFAULT_MAX_CONNECTIONS);
    }

    /** Reads the settings, the port as {@code port} (the deployable's variant of {@link #PORT}) says. */
    public static HttpSettings fromEnv(Env env, Setting<Integer> port) {
        return new HttpSettings(
                env.get(HOST),
                env.get(port),
                env.get(MAX_HEADER_BYTES),
                env.get(IDLE_TIMEOUT_MS),
                env.get(MAX_CONNECTIONS));
    }

    /** The settings {@link #fromEnv} reads, with {@code port}. */
    public static List<Setting<?>> settings(Setting<Integer> port) {
        return List.of(HOST, port, MAX_HEADER_BYTES, IDLE_TIMEOUT_MS, MAX_CONNECTIONS);
    }
}
