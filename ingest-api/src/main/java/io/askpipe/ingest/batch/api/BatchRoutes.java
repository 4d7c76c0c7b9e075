package io.askpipe.ingest.batch.api;

import com.fasterxml.jackson.core.JsonProcessingException;
import io.askpipe.auth.BearerAuth;
import io.askpipe.common.callback.CallbackPolicy;
import io.askpipe.common.http.BodyLimit;
import io.askpipe.common.http.OpenAiDialect;
import io.askpipe.common.http.ProblemException;
import io.askpipe.common.http.ProblemType;
import io.askpipe.ingest.batch.store.Batch;
import io.askpipe.ingest.batch.store.BatchIds;
import io.askpipe.ingest.batch.store.BatchStatus;
import io.askpipe.ingest.batch.store.PostgresBatches;
import io.askpipe.ingest.files.FileStore;
import io.askpipe.ingest.files.StoredFile;
import io.askpipe.ingest.quota.Admission;
import io.askpipe.ingest.quota.Quotas;
import io.askpipe.schemas.Json;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpHeaders;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.function.Supplier;
import org.jooq.exception.DataAccessException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * OpenAI's batch routes, in its dialect (every failure OpenAI's error object): {@code POST
 * /v1/batches} creates a batch of the caller's input file ({@code validating}; 429 once their
 * month's token budget is spent), {@code GET /v1/batches/{id}} shows one, {@code POST
 * /v1/batches/{id}/cancel} cancels one (a batch that already ended, or is ending, is answered as it
 * is), {@code GET /v1/batches} lists them newest first. A caller sees only their own batches:
 * another's is a 404, as an unknown id. The database work runs off the event loop.
 */
public final class BatchRoutes {
    /** The routes' path. */
    public static final String PATH = "/v1/batches";

    private static final Logger LOG = LoggerFactory.getLogger(BatchRoutes.class);
    /** A create's body is a few parameters: far below this. */
    private static final int MAX_BODY_BYTES = 64 * 1024;

    private static final int DEFAULT_LIMIT = 20;
    private static final int MAX_LIMIT = 100;
    private static final Duration RETRY_AFTER = Duration.ofSeconds(2);

    private final PostgresBatches batches;
    private final FileStore files;
    private final Quotas quotas;
    private final CallbackPolicy callbacks;
    private final Executor blocking;
    private final Runnable wake;
    private final Clock clock;

    /**
     * @param blocking where the database work runs
     * @param wake tells this instance's runner that a batch was created or cancelled
     */
    public BatchRoutes(
            PostgresBatches batches,
            FileStore files,
            Quotas quotas,
            CallbackPolicy callbacks,
            Executor blocking,
            Runnable wake,
            Clock clock) {
        this.batches = batches;
        this.files = files;
        this.quotas = quotas;
        this.callbacks = callbacks;
        this.blocking = blocking;
        this.wake = wake;
        this.clock = clock;
    }

    /** Mounts the routes on {@code router}, admitting callers through {@code auth}. */
    public void mount(Router router, BearerAuth auth) {
        router.post(PATH)
                .handler(OpenAiDialect.handler())
                .handler(BodyLimit.of(MAX_BODY_BYTES))
                .handler(auth)
                .handler(this::create);
        router.get(PATH).handler(OpenAiDialect.handler()).handler(auth).handler(this::list);
        router.get(PATH + "/:id").handler(OpenAiDialect.handler()).handler(auth).handler(this::retrieve);
        router.post(PATH + "/:id/cancel")
                .handler(OpenAiDialect.handler())
                .handler(auth)
                .handler(this::cancel);
    }

    private void create(RoutingContext ctx) {
        String userId = BearerAuth.caller(ctx).userId();
        BatchRequest request = BatchRequest.parse(ctx.body().asString(), callbacks);
        answer(ctx, () -> {
            request.callbackUrl().ifPresent(this::checkCallback);
            if (quotas.budget(userId) instanceof Admission.Refused refused) {
                throw refused.problem();
            }
            StoredFile file = files.find(userId, request.inputFileId())
                    .orElseThrow(() ->
                            new ProblemException(ProblemType.NOT_FOUND, "No file with id " + request.inputFileId()));
            if (!"batch".equals(file.purpose())) {
                throw ProblemException.invalidParameter(
                        "input_file_id",
                        "The file " + file.id() + " was uploaded for " + file.purpose() + ", not for a batch");
            }
            Instant now = clock.instant().truncatedTo(ChronoUnit.MICROS);
            Batch batch = new Batch(
                    BatchIds.batch(clock),
                    userId,
                    file.id(),
                    request.endpoint(),
                    request.completionWindow(),
                    request.metadata(),
                    request.callbackUrl(),
                    request.outputExpiresAfter(),
                    BatchStatus.VALIDATING,
                    Batch.Counts.NONE,
                    Batch.Usage.NONE,
                    List.of(),
                    Optional.empty(),
                    Optional.empty(),
                    new Batch.Timeline(
                            now,
                            Optional.empty(),
                            now.plus(request.window()),
                            Optional.empty(),
                            Optional.empty(),
                            Optional.empty(),
                            Optional.empty(),
                            Optional.empty(),
                            Optional.empty()),
                    Batch.Checkpoint.START,
                    Optional.empty(),
                    Optional.empty(),
                    Optional.empty());
            batches.insert(batch);
            LOG.info("batch {} of file {} created for user {}", batch.id(), file.id(), userId);
            wake.run();
            return BatchObject.of(batch);
        });
    }

    private void retrieve(RoutingContext ctx) {
        String userId = BearerAuth.caller(ctx).userId();
        String id = ctx.pathParam("id");
        answer(ctx, () -> BatchObject.of(batches.find(userId, id).orElseThrow(() -> notFound(id))));
    }

    private void cancel(RoutingContext ctx) {
        String userId = BearerAuth.caller(ctx).userId();
        String id = ctx.pathParam("id");
        answer(ctx, () -> {
            Batch batch = batches.cancel(
                            userId, id, clock.instant().truncatedTo(ChronoUnit.MICROS), BatchIds.event(clock))
                    .orElseThrow(() -> notFound(id));
            wake.run();
            return BatchObject.of(batch);
        });
    }

    private void list(RoutingContext ctx) {
        String userId = BearerAuth.caller(ctx).userId();
        Optional<String> after =
                Optional.ofNullable(ctx.request().getParam("after")).filter(a -> !a.isEmpty());
        int limit = limit(ctx.request().getParam("limit"));
        answer(ctx, () -> {
            List<Batch> page = batches.list(userId, after, limit + 1);
            return BatchObject.Page.of(page.subList(0, Math.min(limit, page.size())), page.size() > limit);
        });
    }

    private static int limit(String raw) {
        if (raw == null || raw.isEmpty()) {
            return DEFAULT_LIMIT;
        }
        try {
            int limit = Integer.parseInt(raw);
            if (limit >= 1 && limit <= MAX_LIMIT) {
                return limit;
            }
        } catch (NumberFormatException e) {
            // answered below
        }
        throw ProblemException.invalidParameter("limit", "limit must be a whole number from 1 to " + MAX_LIMIT);
    }

    /** Refuses a callback whose host resolves to an address askpipe must not call, as a submit's. */
    private void checkCallback(String url) {
        try {
            callbacks.resolve(callbacks.parse(url));
        } catch (CallbackPolicy.Rejected e) {
            throw ProblemException.invalidParameter("callback_url", "The callback_url " + e.getMessage());
        }
    }

    /** Runs {@code work} off the event loop and answers what it returns with 200, or its failure. */
    private void answer(RoutingContext ctx, Supplier<Object> work) {
        Context context = Vertx.currentContext();
        CompletableFuture<Object> done;
        try {
            done = CompletableFuture.supplyAsync(work, blocking);
        } catch (RejectedExecutionException e) {
            throw unavailable(e);
        }
        done.whenComplete((body, error) -> context.runOnContext(v -> {
            Throwable cause = error instanceof CompletionException ? error.getCause() : error;
            if (cause instanceof DataAccessException) {
                LOG.warn("a batch request failed: the database is unreachable: {}", cause.toString());
                ctx.fail(unavailable(cause));
            } else if (cause != null) {
                ctx.fail(cause);
            } else {
                respond(ctx, body);
            }
        }));
    }

    private static void respond(RoutingContext ctx, Object body) {
        try {
            ctx.response()
                    .setStatusCode(200)
                    .putHeader(HttpHeaders.CONTENT_TYPE, "application/json")
                    .putHeader(HttpHeaders.CACHE_CONTROL, "no-store")
                    .end(Json.mapper().writeValueAsString(body));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a batch object always serializes", e);
        }
    }

    private static ProblemException notFound(String id) {
        return new ProblemException(ProblemType.NOT_FOUND, "No batch with id " + id);
    }

    private static ProblemException unavailable(Throwable cause) {
        return ProblemException.unavailable(
                "The batch request could not be taken right now; retry it", RETRY_AFTER, cause);
    }
}
