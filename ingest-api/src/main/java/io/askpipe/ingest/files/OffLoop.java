package io.askpipe.ingest.files;

import io.askpipe.common.http.OpenAiDialect;
import io.askpipe.common.http.ProblemException;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.ext.web.RoutingContext;
import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.function.BiConsumer;
import org.jooq.exception.DataAccessException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs a request's storage work off the event loop and answers on its context: the work's result
 * as its route says, a {@link Refusal} or a problem as such, and storage out of reach as a 503
 * with {@code Retry-After}.
 */
final class OffLoop {
    private static final Logger LOG = LoggerFactory.getLogger(OffLoop.class);
    private static final Duration RETRY_AFTER = Duration.ofSeconds(2);

    private final Executor blocking;

    OffLoop(Executor blocking) {
        this.blocking = blocking;
    }

    /** Runs {@code work} on {@code blocking}, then {@code answer} with its result on {@code ctx}'s context. */
    <T> void run(RoutingContext ctx, Callable<T> work, BiConsumer<RoutingContext, T> answer) {
        Context context = Vertx.currentContext();
        CompletableFuture<T> done;
        try {
            done = CompletableFuture.supplyAsync(
                    () -> {
                        try {
                            return work.call();
                        } catch (RuntimeException e) {
                            throw e;
                        } catch (Exception e) {
                            throw new CompletionException(e);
                        }
                    },
                    blocking);
        } catch (RejectedExecutionException e) {
            fail(ctx, e);
            return;
        }
        done.whenComplete((result, error) -> context.runOnContext(v -> {
            if (ctx.response().closed() || ctx.response().ended()) {
                return;
            }
            if (error == null) {
                answer.accept(ctx, result);
            } else {
                fail(ctx, error instanceof CompletionException ? error.getCause() : error);
            }
        }));
    }

    /** Answers {@code cause}: a refusal or problem as it says, storage out of reach as a 503. */
    static void fail(RoutingContext ctx, Throwable cause) {
        if (cause instanceof Refusal refusal) {
            OpenAiDialect.respond(ctx, refusal.error());
        } else if (cause instanceof DataAccessException
                || cause instanceof IOException
                || cause instanceof RejectedExecutionException) {
            LOG.warn(
                    "{} {} answered 503: {}",
                    ctx.request().method(),
                    ctx.request().path(),
                    cause.toString());
            ctx.fail(ProblemException.unavailable(
                    "Files cannot be reached right now; retry shortly", RETRY_AFTER, cause));
        } else {
            ctx.fail(cause);
        }
    }
}
