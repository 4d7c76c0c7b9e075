package io.askpipe.common;

import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.ext.web.Router;
import java.util.concurrent.TimeUnit;

/**
 * Builds the router every service starts from (request ids, problem responses for every failure,
 * {@code /metrics} and {@code /health}) and starts the HTTP server on it. Services then mount their
 * own routes with their static {@code mount} methods.
 */
public final class HttpServers {
    private HttpServers() {}

    /** A router with request ids, problem failure handling and the operational endpoints. */
    public static Router baseRouter(Vertx vertx, PrometheusMeterRegistry registry) {
        Router router = Router.router(vertx);
        router.route().handler(Problems.requestIdHandler());
        router.route().failureHandler(Problems.failureHandler());
        for (int status : new int[] {400, 404, 405, 413, 415, 500}) {
            router.errorHandler(status, Problems.failureHandler());
        }
        router.get("/metrics")
                .handler(ctx -> ctx.response()
                        .putHeader(HttpHeaders.CONTENT_TYPE, "text/plain; version=0.0.4; charset=utf-8")
                        .end(registry.scrape()));
        router.get("/health")
                .handler(ctx -> ctx.response()
                        .putHeader(HttpHeaders.CONTENT_TYPE, "application/json")
                        .end("{\"status\":\"UP\"}"));
        return router;
    }

    /** Starts a server for {@code router} and waits until it listens. */
    public static HttpServer start(Vertx vertx, Router router, HttpSettings settings) {
        HttpServerOptions options = new HttpServerOptions()
                .setHost(settings.host())
                .setPort(settings.port())
                .setMaxHeaderSize(16 * 1024)
                .setMaxInitialLineLength(8 * 1024)
                .setCompressionSupported(false);
        try {
            return vertx.createHttpServer(options)
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
    }
}
