package io.askpipe.ingest.files;

import io.askpipe.auth.BearerAuth;
import io.askpipe.common.http.OpenAiDialect;
import io.askpipe.common.http.ProblemException;
import io.askpipe.common.http.ProblemType;
import io.vertx.core.Context;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.AuthenticationHandler;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Optional;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.regex.Pattern;

/**
 * OpenAI's Files API for askpipe's callers, each seeing only their own files: {@code POST
 * /v1/files} ({@link Uploads}), {@code GET /v1/files} (a page, newest first unless {@code
 * order=asc}), {@code GET /v1/files/{id}}, {@code GET /v1/files/{id}/content} (streamed, {@link
 * ContentStream}) and {@code DELETE /v1/files/{id}}. Every failure is OpenAI's error object;
 * another user's file, or an expired one, is a 404 as an unknown id is.
 */
public final class FileRoutes {
    /** The routes' path, OpenAI's. */
    public static final String PATH = "/v1/files";

    private static final Pattern ID = Pattern.compile("file-[0-9a-f]{32}");
    private static final int MAX_LIMIT = 10_000;

    private final PostgresFileStore store;
    private final Uploads uploads;
    private final OffLoop offLoop;
    private final Executor blocking;

    /**
     * @param settings the limits of an upload and its retention
     * @param spool where uploads are spooled on their way into {@code store}: a directory of this
     *     process's own
     * @param blocking where storage work runs, off the event loop
     */
    FileRoutes(PostgresFileStore store, FileSettings settings, Path spool, Executor blocking, Clock clock) {
        this.store = store;
        this.blocking = blocking;
        this.offLoop = new OffLoop(blocking);
        this.uploads = new Uploads(store, settings, spool, offLoop, clock);
    }

    /** Mounts the routes on {@code router}, admitting callers through {@code auth}. */
    public void mount(Router router, BearerAuth auth) {
        router.post(PATH)
                .handler(OpenAiDialect.handler())
                .handler(new BodyAfterAuth(auth))
                .handler(uploads::receive)
                .handler(uploads::store);
        router.get(PATH).handler(OpenAiDialect.handler()).handler(auth).handler(this::list);
        router.get(PATH + "/:id").handler(OpenAiDialect.handler()).handler(auth).handler(this::retrieve);
        router.get(PATH + "/:id/content")
                .handler(OpenAiDialect.handler())
                .handler(auth)
                .handler(this::content);
        router.delete(PATH + "/:id")
                .handler(OpenAiDialect.handler())
                .handler(auth)
                .handler(this::delete);
    }

    private void list(RoutingContext ctx) {
        String userId = BearerAuth.caller(ctx).userId();
        MultiMap query = ctx.queryParams();
        offLoop.run(
                ctx,
                () -> store.list(
                        userId,
                        Optional.ofNullable(query.get("purpose")),
                        Optional.ofNullable(query.get("after")),
                        limit(query.get("limit")),
                        ascending(query.get("order"))),
                (answered, page) -> FileJson.respond(answered, FileJson.FileList.of(page)));
    }

    private void retrieve(RoutingContext ctx) {
        String userId = BearerAuth.caller(ctx).userId();
        String id = ctx.pathParam("id");
        offLoop.run(
                ctx,
                () -> found(userId, id),
                (answered, file) -> FileJson.respond(answered, FileJson.FileObject.of(file)));
    }

    private void content(RoutingContext ctx) {
        String userId = BearerAuth.caller(ctx).userId();
        String id = ctx.pathParam("id");
        Context context = Vertx.currentContext();
        offLoop.run(ctx, () -> found(userId, id), (answered, file) -> {
            ContentStream stream = new ContentStream(answered.response(), context);
            try {
                blocking.execute(() -> stream.send(file, store.open(file)));
            } catch (RejectedExecutionException e) {
                OffLoop.fail(answered, e);
            }
        });
    }

    private void delete(RoutingContext ctx) {
        String userId = BearerAuth.caller(ctx).userId();
        String id = ctx.pathParam("id");
        offLoop.run(
                ctx,
                () -> {
                    if (!ID.matcher(id).matches() || !store.delete(userId, id)) {
                        throw notFound(id);
                    }
                    return id;
                },
                (answered, deleted) -> FileJson.respond(answered, FileJson.Deleted.of(deleted)));
    }

    private StoredFile found(String userId, String id) {
        if (!ID.matcher(id).matches()) {
            throw notFound(id);
        }
        return store.find(userId, id).orElseThrow(() -> notFound(id));
    }

    private static ProblemException notFound(String id) {
        return new ProblemException(ProblemType.NOT_FOUND, "No such file: " + id);
    }

    private static int limit(String raw) {
        if (raw == null) {
            return MAX_LIMIT;
        }
        try {
            int limit = Integer.parseInt(raw);
            if (limit >= 1 && limit <= MAX_LIMIT) {
                return limit;
            }
        } catch (NumberFormatException e) {
            // refused below
        }
        throw new Refusal(ProblemType.MALFORMED_REQUEST, "limit", "'limit' must be an integer from 1 to " + MAX_LIMIT);
    }

    private static boolean ascending(String raw) {
        if (raw == null || raw.equals("desc")) {
            return false;
        }
        if (raw.equals("asc")) {
            return true;
        }
        throw new Refusal(ProblemType.MALFORMED_REQUEST, "order", "'order' must be 'asc' or 'desc'");
    }

    /**
     * The caller's authentication before an upload's body is read: the body waits, paused, so that
     * nothing of an unauthenticated request reaches the disk; a request answered before its body
     * was read (refused) has the rest of it let through and dropped, for the client to get to the
     * answer.
     */
    private record BodyAfterAuth(BearerAuth auth) implements AuthenticationHandler {
        @Override
        public void handle(RoutingContext ctx) {
            ctx.request().pause();
            ctx.addEndHandler(ended -> {
                if (!ctx.request().isEnded()) {
                    ctx.request().resume();
                }
            });
            auth.handle(ctx);
        }
    }
}
