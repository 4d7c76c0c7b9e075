package io.askpipe.ingest.api;

import io.askpipe.auth.BearerAuth;
import io.askpipe.common.http.BodyLimit;
import io.askpipe.common.http.OpenAiDialect;
import io.askpipe.common.http.ProblemType;
import io.askpipe.ingest.results.ResultWaiters;
import io.askpipe.schemas.AskResult;
import io.askpipe.schemas.AskStatus;
import io.askpipe.schemas.completion.ChatCompletion;
import io.askpipe.schemas.completion.OpenAiError;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpHeaders;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * {@code POST /v1/chat/completions}, the drop-in for OpenAI's route: the body of {@code POST
 * /v1/ask}, submitted as an ask exactly as that route does (validation, the {@code Idempotency-Key}
 * honoured or generated), then its result awaited from {@code ask.results} for up to {@code
 * CHAT_COMPLETIONS_WAIT_MS} and answered as OpenAI's {@code chat.completion}, or as OpenAI's error
 * object for every failure (a failed ask: its status and error type). When the wait runs out the
 * answer is a 504 {@code wait_expired}, with the ask's id ({@value #ASK_ID}), {@code Location} of its
 * completion and {@code X-Should-Retry: false}, as the ask goes on: the result is then fetched there.
 * A failed ask's answer carries {@code X-Should-Retry: false} too, its retries spent.
 */
public final class ChatCompletionsRoute {
    /** The drop-in route's path, OpenAI's. */
    public static final String PATH = "/v1/chat/completions";
    /** The response header that names the ask a chat completion is the result of. */
    static final String ASK_ID = "Askpipe-Ask-Id";
    /** The header OpenAI's SDKs obey over their own retry rules. */
    private static final String SHOULD_RETRY = "X-Should-Retry";

    private final IngestRoutes submits;
    private final ResultWaiters results;
    private final Duration wait;

    /** The route submitting through {@code submits} and waiting up to {@code wait} on {@code results}. */
    public ChatCompletionsRoute(IngestRoutes submits, ResultWaiters results, Duration wait) {
        this.submits = submits;
        this.results = results;
        this.wait = wait;
    }

    /** Mounts the route on {@code router}, admitting callers through {@code auth}. */
    public void mount(Router router, BearerAuth auth) {
        router.post(PATH)
                .handler(OpenAiDialect.handler())
                .handler(BodyLimit.of(submits.maxBodyBytes()))
                .handler(auth)
                .handler(ctx -> submits.take(ctx, PATH, (answer, idempotencyKey) -> {
                    ctx.response()
                            .putHeader(IngestRoutes.IDEMPOTENCY_KEY, idempotencyKey)
                            .putHeader(ASK_ID, answer.requestId());
                    if (answer.replayed()) {
                        ctx.response().putHeader(IngestRoutes.REPLAYED, "true");
                    }
                    answer.headers().forEach(ctx.response()::putHeader);
                    await(ctx, answer.requestId());
                }));
    }

    private void await(RoutingContext ctx, String requestId) {
        Context context = Vertx.currentContext();
        CompletableFuture<AskResult> result = results.await(requestId);
        ctx.response().closeHandler(closed -> results.forget(requestId, result));
        result.orTimeout(wait.toMillis(), TimeUnit.MILLISECONDS)
                .whenComplete((done, error) -> context.runOnContext(v -> {
                    results.forget(requestId, result);
                    if (ctx.response().closed() || ctx.response().ended()) {
                        return;
                    }
                    if (error != null) {
                        expired(ctx, requestId);
                    } else if (done.status() == AskStatus.SUCCEEDED) {
                        OpenAiDialect.respond(ctx, ChatCompletion.of(done));
                    } else {
                        // the ask is over, retries and fallbacks spent: an SDK's retry would be a new ask
                        ctx.response().putHeader(SHOULD_RETRY, "false");
                        OpenAiDialect.respond(ctx, OpenAiError.of(done.error()));
                    }
                }));
    }

    private void expired(RoutingContext ctx, String requestId) {
        String completion = "/v1/ask/" + requestId + "/completion";
        ctx.response()
                .putHeader(HttpHeaders.LOCATION, completion)
                // the ask goes on: a retry without the same Idempotency-Key would be a second ask
                .putHeader(SHOULD_RETRY, "false");
        OpenAiDialect.respond(
                ctx,
                OpenAiError.of(
                        ProblemType.WAIT_EXPIRED.status(),
                        "The ask " + requestId + " did not finish within " + wait.toMillis()
                                + " ms and goes on: fetch its result at GET " + completion,
                        null,
                        ProblemType.WAIT_EXPIRED.code()));
    }
}
