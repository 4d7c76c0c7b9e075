package io.askpipe.common.http;

import io.askpipe.schemas.Json;
import io.askpipe.schemas.Problem;
import io.askpipe.schemas.completion.OpenAiError;
import io.vertx.core.Handler;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.HttpException;
import java.util.List;
import java.util.UUID;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one place that turns failures into {@code application/problem+json} responses: handlers throw
 * {@link ProblemException} (or fail the context with a status) and never build error bodies. An
 * unexpected exception is logged with the request id and answered as a 500 without its stack trace.
 * On a route that speaks OpenAI's dialect ({@link OpenAiDialect}) the same failure is answered as
 * OpenAI's error object instead, with the same status and headers: its code is the problem type's
 * ({@link ProblemType#code()}), its param the first offending field's pointer.
 */
public final class Problems {
    /** The response header (and log field) that carries the HTTP request id. */
    public static final String REQUEST_ID_HEADER = "X-Request-Id";

    private static final Logger LOG = LoggerFactory.getLogger(Problems.class);
    private static final String REQUEST_ID_KEY = "askpipe.requestId";
    private static final Pattern SAFE_REQUEST_ID = Pattern.compile("[A-Za-z0-9._:-]{1,128}");

    private Problems() {}

    /** Assigns every HTTP request an id: the client's {@code X-Request-Id} if sane, else a new one. */
    public static Handler<RoutingContext> requestIdHandler() {
        return ctx -> {
            String offered = ctx.request().getHeader(REQUEST_ID_HEADER);
            String id = offered != null && SAFE_REQUEST_ID.matcher(offered).matches()
                    ? offered
                    : UUID.randomUUID().toString();
            ctx.put(REQUEST_ID_KEY, id);
            ctx.response().putHeader(REQUEST_ID_HEADER, id);
            ctx.next();
        };
    }

    /** The id {@link #requestIdHandler()} assigned, or {@code null} before it ran. */
    public static String requestId(RoutingContext ctx) {
        return ctx.get(REQUEST_ID_KEY);
    }

    /** The failure handler for every route and for the router's own 404/405/413 answers. */
    public static Handler<RoutingContext> failureHandler() {
        return ctx -> {
            if (ctx.response().headWritten()) {
                ctx.response().reset();
                return;
            }
            Throwable failure = ctx.failure();
            ProblemException known = find(failure);
            if (known != null) {
                known.retryAfter()
                        .ifPresent(d -> ctx.response()
                                .putHeader(HttpHeaders.RETRY_AFTER, String.valueOf(Math.max(1, d.toSeconds()))));
                known.headers().forEach(ctx.response()::putHeader);
                respond(ctx, known.type(), known.getMessage(), known.errors());
                return;
            }
            int status = failure instanceof HttpException http ? http.getStatusCode() : ctx.statusCode();
            ProblemType type = status >= 400 && status != 500
                    ? ProblemType.forStatus(status).orElse(ProblemType.INTERNAL_ERROR)
                    : ProblemType.INTERNAL_ERROR;
            if (type == ProblemType.INTERNAL_ERROR) {
                LOG.error(
                        "unexpected failure on {} {} [request {}]",
                        ctx.request().method(),
                        ctx.request().path(),
                        requestId(ctx),
                        failure);
                respond(ctx, type, "An unexpected error occurred; quote the request id when reporting it.");
            } else {
                respond(ctx, type, defaultDetail(type, ctx));
            }
        };
    }

    /** Writes a problem response of {@code type}. */
    public static void respond(RoutingContext ctx, ProblemType type, String detail) {
        respond(ctx, type, detail, List.of());
    }

    private static void respond(RoutingContext ctx, ProblemType type, String detail, List<Problem.FieldError> errors) {
        if (OpenAiDialect.spoken(ctx)) {
            String param = errors.isEmpty() ? null : errors.getFirst().pointer();
            OpenAiDialect.respond(ctx, OpenAiError.of(type.status(), detail, param, type.code()));
            return;
        }
        Problem problem = new Problem(
                type.uri(), type.title(), type.status(), detail, ctx.request().path(), requestId(ctx), errors);
        HttpServerResponse response = ctx.response();
        response.setStatusCode(type.status()).putHeader(HttpHeaders.CONTENT_TYPE, Problem.MEDIA_TYPE);
        try {
            response.end(Json.mapper().writeValueAsString(problem));
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException("a problem always serializes", e);
        }
    }

    private static String defaultDetail(ProblemType type, RoutingContext ctx) {
        return switch (type) {
            case NOT_FOUND -> "No resource at " + ctx.request().path();
            case METHOD_NOT_ALLOWED ->
                ctx.request().method() + " is not supported on " + ctx.request().path();
            case PAYLOAD_TOO_LARGE ->
                BodyLimit.limitOf(ctx)
                        .map(limit -> "The request body exceeds the limit of " + limit + " bytes")
                        .orElse("The request body exceeds the configured limit");
            default -> type.title();
        };
    }

    private static ProblemException find(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (t instanceof ProblemException p) {
                return p;
            }
        }
        return null;
    }
}
