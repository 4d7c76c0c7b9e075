package io.askpipe.store.api;

import io.askpipe.common.http.ProblemException;
import io.askpipe.store.view.AskView;
import io.vertx.core.AsyncResult;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;

/**
 * One {@code GET /v1/ask/{id}?wait=N}: answers as soon as the ask is terminal, or with whatever
 * there is when N seconds have passed. It registers with {@link AskWaiters} before it first looks,
 * so a result written in between still wakes it; every wake-up registers again before it looks, so
 * a wake-up that finds the ask still not terminal (the listener reconnected) misses nothing after
 * it. When the instance has too many clients waiting it
 * answers at once with what there is; when the caller has too many, it fails with a 429 problem.
 */
final class LongPoll {
    /** How long a caller with too many long polls is told to wait before the next. */
    static final Duration USER_FULL_RETRY = Duration.ofSeconds(1);

    private final Vertx vertx;
    private final Context context;
    private final AskWaiters waiters;
    private final String requestId;
    private final String userId;
    private final Supplier<Optional<AskView>> read;
    private final Handler<AsyncResult<Optional<AskView>>> respond;
    private final AtomicBoolean done = new AtomicBoolean();
    private volatile Runnable cancel = () -> {};
    /** Whether the ask was read once: a caller refused a wait after that is answered, not refused. */
    private volatile boolean looked;

    private long timer;

    private LongPoll(
            Vertx vertx,
            AskWaiters waiters,
            String requestId,
            String userId,
            Supplier<Optional<AskView>> read,
            Handler<AsyncResult<Optional<AskView>>> respond) {
        this.vertx = vertx;
        this.context = vertx.getOrCreateContext();
        this.waiters = waiters;
        this.requestId = requestId;
        this.userId = userId;
        this.read = read;
        this.respond = respond;
    }

    /**
     * Waits up to {@code wait} for {@code userId}'s ask {@code requestId} to become terminal; {@code
     * read} (blocking) looks it up, {@code respond} (on the caller's context) is called exactly once
     * with the last read, or its failure, unless the poll is {@linkplain #abandon() abandoned}.
     */
    static LongPoll start(
            Vertx vertx,
            AskWaiters waiters,
            String requestId,
            String userId,
            Duration wait,
            Supplier<Optional<AskView>> read,
            Handler<AsyncResult<Optional<AskView>>> respond) {
        LongPoll poll = new LongPoll(vertx, waiters, requestId, userId, read, respond);
        poll.timer = vertx.setTimer(wait.toMillis(), id -> poll.finish());
        poll.listen();
        return poll;
    }

    /** Stops waiting without answering: the client has gone. */
    void abandon() {
        settle(() -> {});
    }

    /**
     * Registers for the ask's wake-up, then reads it. A registration is spent by its wake-up, so
     * each wake-up registers again before it reads: a result written after the read wakes the new
     * registration, and one written before it is what the read sees.
     */
    private void listen() {
        switch (waiters.register(requestId, userId, () -> context.runOnContext(v -> listen()))) {
            case AskWaiters.Waiting waiting -> {
                cancel = waiting.cancel();
                if (done.get()) {
                    cancel.run(); // answered or abandoned meanwhile
                    return;
                }
                look();
            }
            case AskWaiters.Refused refused
            when refused == AskWaiters.Refused.USER_FULL && !looked ->
                settle(() -> respond.handle(Future.failedFuture(ProblemException.rateLimited(
                        "Too many long polls of this caller are waiting on this instance; poll again later or"
                                + " without wait",
                        USER_FULL_RETRY,
                        Map.of()))));
            case AskWaiters.Refused refused -> finish(); // no room to wait on: answer with what there is
        }
    }

    private void look() {
        if (done.get()) {
            return;
        }
        looked = true;
        vertx.executeBlocking(read::get, false).onComplete(result -> {
            if (result.failed()
                    || result.result().map(view -> view.status().terminal()).orElse(false)) {
                settle(() -> respond.handle(result));
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
