package io.askpipe.store;

import com.fasterxml.jackson.core.JsonProcessingException;
import io.askpipe.auth.BearerAuth;
import io.askpipe.common.ProblemException;
import io.askpipe.common.ProblemType;
import io.askpipe.schemas.Json;
import io.vertx.core.http.HttpHeaders;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.regex.Pattern;
import org.jooq.exception.DataAccessException;

/**
 * The read routes, for callers with an API key: {@code GET /v1/ask/{id}} and {@code GET /v1/usage}.
 * Database work runs off the event loop. An id that is not known, not even a valid id, or the id of
 * another user's ask is a 404 problem: a caller cannot tell another user's ask from none.
 */
final class StoreRoutes {
    private static final Pattern UUID =
            Pattern.compile("[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}");

    private StoreRoutes() {}

    static void mount(Router router, BearerAuth auth, AskRepository asks) {
        router.get("/v1/ask/:id").handler(auth).handler(ctx -> find(ctx, asks));
        router.get("/v1/usage").handler(auth).handler(ctx -> usage(ctx, asks));
    }

    private static void find(RoutingContext ctx, AskRepository asks) {
        String id = ctx.pathParam("id");
        if (!UUID.matcher(id).matches()) {
            throw notFound(id);
        }
        String userId = BearerAuth.caller(ctx).userId();
        answer(ctx, () -> asks.find(id.toLowerCase(Locale.ROOT), userId).orElseThrow(() -> notFound(id)));
    }

    private static void usage(RoutingContext ctx, AskRepository asks) {
        String userId = BearerAuth.caller(ctx).userId();
        answer(ctx, () -> asks.usage(userId));
    }

    /** Runs {@code query} off the event loop and answers its result as JSON. */
    private static void answer(RoutingContext ctx, Callable<Object> query) {
        ctx.vertx()
                .executeBlocking(query, false)
                .onSuccess(body -> {
                    try {
                        ctx.response()
                                .putHeader(HttpHeaders.CONTENT_TYPE, "application/json")
                                .putHeader(HttpHeaders.CACHE_CONTROL, "no-store")
                                .end(Json.mapper().writeValueAsString(body));
                    } catch (JsonProcessingException e) {
                        ctx.fail(e);
                    }
                })
                .onFailure(error -> ctx.fail(
                        error instanceof DataAccessException
                                ? ProblemException.unavailable(
                                        "The result store cannot reach its database right now",
                                        Duration.ofSeconds(5),
                                        error)
                                : error));
    }

    private static ProblemException notFound(String id) {
        return new ProblemException(ProblemType.NOT_FOUND, "No ask with id " + id);
    }
}
