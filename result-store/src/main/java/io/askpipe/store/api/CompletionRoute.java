package io.askpipe.store.api;

import io.askpipe.auth.BearerAuth;
import io.askpipe.common.http.OpenAiDialect;
import io.askpipe.common.http.ProblemException;
import io.askpipe.common.http.ProblemType;
import io.askpipe.schemas.AskResult;
import io.askpipe.schemas.AskStatus;
import io.askpipe.schemas.completion.ChatCompletion;
import io.askpipe.schemas.completion.OpenAiError;
import io.askpipe.store.sink.AskRepository;
import io.askpipe.store.view.AskView;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.time.Duration;
import java.util.Optional;

/**
 * {@code GET /v1/ask/{id}/completion}: the caller's ask in OpenAI's dialect. A succeeded ask is its
 * {@code chat.completion} (200); a failed one OpenAI's error object with the result's status and
 * its error type as the code; one still queued or running a 409 {@code ask_not_finished} with
 * {@code Retry-After}. {@code ?wait=N} long-polls as {@code GET /v1/ask/{id}} does. Every failure of
 * the request itself (no key, an unknown id or another user's ask: 404) is an error object too.
 */
final class CompletionRoute {
    /** How soon a client that found the ask unfinished is told to look again. */
    private static final Duration RETRY_AFTER = Duration.ofSeconds(1);

    private CompletionRoute() {}

    static void mount(Router router, BearerAuth auth, AskRepository asks, AskWaiters waiters) {
        router.get("/v1/ask/:id/completion")
                .handler(OpenAiDialect.handler())
                .handler(auth)
                .handler(ctx -> completion(ctx, asks, waiters));
    }

    private static void completion(RoutingContext ctx, AskRepository asks, AskWaiters waiters) {
        String id = ctx.pathParam("id");
        String requestId = StoreRoutes.requestId(id);
        String userId = BearerAuth.caller(ctx).userId();
        Duration wait = StoreRoutes.waitParameter(ctx.queryParams().get("wait"));
        if (wait.isZero()) {
            ctx.vertx()
                    .executeBlocking(() -> asks.find(requestId, userId), false)
                    .onSuccess(found -> respond(ctx, id, found))
                    .onFailure(error -> ctx.fail(StoreRoutes.unavailable(error)));
            return;
        }
        LongPoll poll = LongPoll.start(
                ctx.vertx(), waiters, requestId, userId, wait, () -> asks.find(requestId, userId), result -> {
                    if (result.failed()) {
                        ctx.fail(StoreRoutes.unavailable(result.cause()));
                    } else {
                        respond(ctx, id, result.result());
                    }
                });
        ctx.response().closeHandler(closed -> poll.abandon());
    }

    private static void respond(RoutingContext ctx, String id, Optional<AskView> found) {
        if (found.isEmpty()) {
            ctx.fail(StoreRoutes.notFound(id));
            return;
        }
        AskView ask = found.get();
        Optional<AskResult> outcome = ask.outcome();
        if (outcome.isEmpty()) {
            ctx.fail(new ProblemException(
                    ProblemType.ASK_NOT_FINISHED,
                    "The ask " + id + " is " + ask.status().wireName() + "; ask again later, or with ?wait=N to"
                            + " wait up to N seconds for it",
                    RETRY_AFTER,
                    null));
        } else if (outcome.get().status() == AskStatus.SUCCEEDED) {
            OpenAiDialect.respond(ctx, ChatCompletion.of(outcome.get()));
        } else {
            OpenAiDialect.respond(ctx, OpenAiError.of(outcome.get().error()));
        }
    }
}
