package io.askpipe.common.http;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.ext.web.Router;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;

/**
 * Builds the router every service starts from, with request ids and problem responses for every
 * failure and {@code /healthz}, and starts HTTP servers on it and its kin (the operations router
 * builds on it too), with idle timeouts and connection limits.
 */
public final class HttpServers {
    private HttpServers() {}

    /**
     * A router for clients with request ids, problem failure handling and {@code /healthz} (and
     * {@code /health}), 200 while the process serves HTTP.
     */
    public static Router baseRouter(Vertx vertx) {
        Router router = Router.router(vertx);
        router.route().handler(Problems.requestIdHandler());
        router.route().failureHandler(Problems.failureHandler());
        for (int status : new int[] {400, 404, 405, 413, 415, 500}) {
            router.errorHandler(status, Problems.failureHandler());
        }
        for (String alive : new String[] {"/healthz", "/health"}) {
            router.get(alive)
                    .handler(ctx -> ctx.response()
                            .putHeader(HttpHeaders.CONTENT_TYPE, "application/json")
                            .end("{\"status\":\"UP\"}"));
        }
        return router;
    }

    /**
     * Answers a request that failed to decode (a request line or headers over the limits, broken
     * HTTP) with a problem, as every other error, instead of Vert.x's bare status.
     */
    private static void invalidRequest(io.vertx.core.http.HttpServerRequest request) {
        Throwable cause = request.decoderResult().cause();
        ProblemType type = cause instanceof io.netty.handler.codec.TooLongFrameException
                        && String.valueOf(cause.getMessage()).contains("header")
                ? ProblemType.HEADERS_TOO_LARGE
                : cause instanceof io.netty.handler.codec.TooLongFrameException
                        ? ProblemType.URI_TOO_LONG
                        : ProblemType.MALFORMED_REQUEST;
        io.askpipe.schemas.Problem problem = new io.askpipe.schemas.Problem(
                type.uri(),
                type.title(),
                type.status(),
                "The request could not be read as HTTP within the limits",
                null,
                null,
                java.util.List.of());
        try {
            request.response()
                    .setStatusCode(type.status())
                    .putHeader(HttpHeaders.CONTENT_TYPE, io.askpipe.schemas.Problem.MEDIA_TYPE)
                    .putHeader(HttpHeaders.CONNECTION, "close")
                    .end(io.askpipe.schemas.Json.mapper().writeValueAsString(problem))
                    .onComplete(done -> request.connection().close());
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            request.connection().close();
        }
    }

    /** {@link #start(Vertx, Router, HttpSettings, MeterRegistry)} without metrics. */
    public static HttpServer start(Vertx vertx, Router router, HttpSettings settings) {
        return start(vertx, router, settings, io.micrometer.core.instrument.Metrics.globalRegistry);
    }

    /**
     * Starts a server for {@code router} and waits until it listens. A connection idle for {@code
     * HTTP_IDLE_TIMEOUT_MS} is closed; beyond {@code HTTP_MAX_CONNECTIONS} open at once, a new
     * connection is closed as soon as it is accepted (Vert.x has no such limit of its own), counted
     * in {@code http_server_connections_refused_total}; {@code http_server_connections} is how many
     * are open. Both are tagged with the port the server listens on.
     */
    public static HttpServer start(Vertx vertx, Router router, HttpSettings settings, MeterRegistry registry) {
        HttpServerOptions options = new HttpServerOptions()
                .setHost(settings.host())
                .setPort(settings.port())
                .setMaxHeaderSize(settings.maxHeaderBytes())
                .setMaxInitialLineLength(8 * 1024)
                .setIdleTimeout(settings.idleTimeoutMs())
                .setIdleTimeoutUnit(TimeUnit.MILLISECONDS)
                // no plain-text HTTP/2: with it Vert.x waits for a connection's first bytes (to tell
                // its preface from HTTP/1) before it hands the connection to the limit below, so a
                // connection that sends nothing would never count; HTTP/2 belongs behind TLS
                .setHttp2ClearTextEnabled(false)
                .setCompressionSupported(false);
        AtomicInteger open = new AtomicInteger();
        LongAdder refused = new LongAdder();
        HttpServer server;
        try {
            server = vertx.createHttpServer(options)
                    .invalidRequestHandler(HttpServers::invalidRequest)
                    .connectionHandler(connection -> {
                        // counted up and down on the connection's event loop; the count itself is
                        // shared by every event loop of the server
                        if (open.incrementAndGet() > settings.maxConnections()) {
                            open.decrementAndGet();
                            refused.increment();
                            connection.close();
                            return;
                        }
                        connection.closeHandler(closed -> open.decrementAndGet());
                    })
                    .requestHandler(router)
                    .listen()
                    .toCompletionStage()
                    .toCompletableFuture()
                    .get(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while starting the HTTP server", e);
        } catch (Exception e) {
            throw new IllegalStateException(
                    "HTTP server could not listen on " + settings.host() + ":" + settings.port() + ": "
                            + e.getMessage(),
                    e);
        }
        String port = Integer.toString(server.actualPort());
        Gauge.builder("http_server_connections", open, AtomicInteger::get)
                .description("HTTP connections open on this server")
                .tag("port", port)
                .register(registry);
        FunctionCounter.builder("http_server_connections_refused", refused, LongAdder::sum)
                .description("HTTP connections closed as soon as they were accepted, because HTTP_MAX_CONNECTIONS"
                        + " were open")
                .tag("port", port)
                .register(registry);
        return server;
    }
}
