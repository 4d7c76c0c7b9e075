package io.askpipe.store;

import io.vertx.core.AsyncResult;
import io.vertx.core.Context;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;

/**
 * One {@code GET /v1/ask/{id}?wait=N}: answers as soon as the ask is terminal, or with whatever
 * there is when N seconds have passed. It registers with {@link AskWaiters} before it first looks,
 * so a result written in between still wakes it; a wake-up that finds the ask still not terminal
 * (the listener reconnected) registers again.
 */
final class LongPoll {
    private final Vertx vertx;
    private final Context context;
    private final AskWaiters waiters;
    private final String requestId;
    private final Supplier<Optional<AskView>> read;
    private final Handler<AsyncResult<Optional<AskView>>> respond;
    private final AtomicBoolean done = new AtomicBoolean();
    private volatile Runnable cancel = () -> {};
    private long timer;

    private LongPoll(
            Vertx vertx,
            AskWaiters waiters,
            String requestId,
            Supplier<Optional<AskView>> read,
            Handler<AsyncResult<Optional<AskView>>> respond) {
        this.vertx = vertx;
        this.context = vertx.getOrCreateContext();
        this.waiters = waiters;
        this.requestId = requestId;
        this.read = read;
        this.respond = respond;
    }

    /**
     * Waits up to {@code wait} for ask {@code requestId} to become terminal; {@code read} (blocking)
     * looks it up, {@code respond} (on the caller's context) is called exactly once with the last
     * read, or its failure.
     */
    static void start(
            Vertx vertx,
            AskWaiters waiters,
            String requestId,
            Duration wait,
            Supplier<Optional<AskView>> read,
            Handler<AsyncResult<Optional<AskView>>> respond) {
        LongPoll poll = new LongPoll(vertx, waiters, requestId, read, respond);
        poll.timer = vertx.setTimer(wait.toMillis(), id -> poll.finish());
        poll.listen();
    }

    private void listen() {
        Runnable registered = waiters.register(requestId, () -> context.runOnContext(v -> look()));
        if (registered == null) {
            finish(); // too many waiting: answer now
            return;
        }
        cancel = registered;
        look();
    }

    private void look() {
        if (done.get()) {
            return;
        }
        vertx.executeBlocking(read::get, false).onComplete(result -> {
            if (result.failed()
                    || result.result().map(view -> view.status().terminal()).orElse(false)) {
                settle(() -> respond.handle(result));
            } else if (!done.get()) {
                cancel.run();
                cancel = waiters.register(requestId, () -> context.runOnContext(v -> look()));
                if (cancel == null) {
                    cancel = () -> {};
                    settle(() -> respond.handle(result));
                }
            }
        });
    }

    private void finish() {
        if (done.get()) {
            return;
        }
        vertx.executeBlocking(read::get, false).onComplete(result -> settle(() -> respond.handle(result)));
    }

    private void settle(Runnable answer) {
        if (done.compareAndSet(false, true)) {
            cancel.run();
            vertx.cancelTimer(timer);
            answer.run();
        }
    }
}
