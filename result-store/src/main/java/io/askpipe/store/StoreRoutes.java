package io.askpipe.store;

import io.askpipe.common.ProblemException;
import io.askpipe.common.ProblemType;
import io.askpipe.schemas.Json;
import io.vertx.core.http.HttpHeaders;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.time.Duration;
import java.util.regex.Pattern;
import org.jooq.exception.DataAccessException;

/**
 * The read routes: {@code GET /v1/ask/{id}}. Database work runs off the event loop; an id that is
 * not known (or not even a valid id) is a 404 problem.
 */
final class StoreRoutes {
    private static final Pattern UUID =
            Pattern.compile("[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}");

    private StoreRoutes() {}

    static void mount(Router router, AskRepository asks) {
        router.get("/v1/ask/:id").handler(ctx -> find(ctx, asks));
    }

    private static void find(RoutingContext ctx, AskRepository asks) {
        String id = ctx.pathParam("id");
        if (!UUID.matcher(id).matches()) {
            throw notFound(id);
        }
        ctx.vertx()
                .executeBlocking(() -> asks.find(id.toLowerCase(java.util.Locale.ROOT)), false)
                .onSuccess(view -> {
                    if (view.isEmpty()) {
                        ctx.fail(notFound(id));
                        return;
                    }
                    try {
                        ctx.response()
                                .putHeader(HttpHeaders.CONTENT_TYPE, "application/json")
                                .putHeader(HttpHeaders.CACHE_CONTROL, "no-store")
                                .end(Json.mapper().writeValueAsString(view.get()));
                    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
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
