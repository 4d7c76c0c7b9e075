package io.askpipe.common.http;

import com.fasterxml.jackson.core.JsonProcessingException;
import io.askpipe.schemas.Json;
import io.askpipe.schemas.completion.ChatCompletion;
import io.askpipe.schemas.completion.OpenAiError;
import io.vertx.core.Handler;
import io.vertx.core.http.HttpHeaders;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.PlatformHandler;

/**
 * How the routes that speak OpenAI's dialect answer ({@code POST /v1/chat/completions}, {@code GET
 * /v1/ask/{id}/completion}): a {@code chat.completion}, or OpenAI's error object with the status,
 * both as {@code application/json}. {@link #handler()} marks a route as one of them, before its
 * body limit and authentication, so that {@link Problems} answers each of its failures as an error
 * object instead of a problem.
 */
public final class OpenAiDialect {
    private static final String KEY = "askpipe.openAiDialect";

    private OpenAiDialect() {}

    /**
     * Marks the request as one of a route that speaks OpenAI's dialect; a platform handler, so that
     * Vert.x lets it come before the route's body and authentication handlers.
     */
    public static Handler<RoutingContext> handler() {
        return new Marker();
    }

    /** Whether the request is one of a route that speaks OpenAI's dialect. */
    public static boolean spoken(RoutingContext ctx) {
        return Boolean.TRUE.equals(ctx.get(KEY));
    }

    /** Answers {@code completion} with 200. */
    public static void respond(RoutingContext ctx, ChatCompletion completion) {
        ctx.response().setStatusCode(200);
        end(ctx, completion);
    }

    /** Answers {@code error} with its status. */
    public static void respond(RoutingContext ctx, OpenAiError error) {
        ctx.response().setStatusCode(error.status());
        end(ctx, error);
    }

    /** Marks each request it sees, then passes it on. */
    private static final class Marker implements PlatformHandler {
        @Override
        public void handle(RoutingContext ctx) {
            ctx.put(KEY, Boolean.TRUE);
            ctx.next();
        }
    }

    private static void end(RoutingContext ctx, Object body) {
        String json;
        try {
            json = Json.mapper().writeValueAsString(body);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a completion and an error always serialize", e);
        }
        ctx.response()
                .putHeader(HttpHeaders.CONTENT_TYPE, "application/json")
                .putHeader(HttpHeaders.CACHE_CONTROL, "no-store")
                .end(json);
    }
}
