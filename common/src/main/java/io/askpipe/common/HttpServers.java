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

    /** Starts a server for {@code router} and waits until it listens. */
    public static HttpServer start(Vertx vertx, Router router, HttpSettings settings) {
        HttpServerOptions options = new HttpServerOptions()
                .setHost(settings.host())
                .setPort(settings.port())
                .setMaxHeaderSize(settings.maxHeaderBytes())
                .setMaxInitialLineLength(8 * 1024)
                .setCompressionSupported(false);
        try {
            return vertx.createHttpServer(options)
                    .invalidRequestHandler(HttpServers::invalidRequest)
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
