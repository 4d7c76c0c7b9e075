package io.askpipe.common.service;

import com.fasterxml.jackson.core.JsonProcessingException;
import io.askpipe.common.http.HttpServers;
import io.askpipe.common.http.ProblemException;
import io.askpipe.common.http.ProblemType;
import io.askpipe.schemas.Json;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpHeaders;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.util.List;
import java.util.Map;

/**
 * The operations router: {@code /metrics}, {@code /readyz} with its checks and {@code /healthz},
 * served on a port of its own ({@link OpsSettings}) so that clients never see a service's internals.
 */
public final class OpsRouter {
    private OpsRouter() {}

    /**
     * A router for operators, as {@link HttpServers#baseRouter(Vertx)} with {@code /metrics} of {@code
     * registry} and {@code /readyz}: 200 with every check of {@code readiness} when all are up, else
     * a 503 problem that names the components that are down.
     */
    public static Router create(Vertx vertx, PrometheusMeterRegistry registry, Readiness readiness) {
        Router router = HttpServers.baseRouter(vertx);
        router.get("/metrics")
                .handler(ctx -> ctx.response()
                        .putHeader(HttpHeaders.CONTENT_TYPE, "text/plain; version=0.0.4; charset=utf-8")
                        .end(registry.scrape()));
        router.get("/readyz").handler(ctx -> ready(ctx, readiness));
        return router;
    }

    private static void ready(RoutingContext ctx, Readiness readiness) {
        ctx.vertx().executeBlocking(readiness::check, false).onComplete(done -> {
            Map<String, Boolean> checks = done.succeeded() ? done.result() : Map.of();
            List<String> down = checks.entrySet().stream()
                    .filter(check -> !check.getValue())
                    .map(Map.Entry::getKey)
                    .toList();
            if (done.failed() || !down.isEmpty()) {
                ctx.fail(new ProblemException(
                        ProblemType.NOT_READY,
                        done.failed()
                                ? "The readiness checks failed to run"
                                : "Not ready: " + String.join(", ", down)));
                return;
            }
            try {
                ctx.response()
                        .putHeader(HttpHeaders.CONTENT_TYPE, "application/json")
                        .putHeader(HttpHeaders.CACHE_CONTROL, "no-store")
                        .end(Json.mapper().writeValueAsString(Map.of("status", "UP", "checks", checks)));
            } catch (JsonProcessingException e) {
                ctx.fail(e);
            }
        });
    }
}
