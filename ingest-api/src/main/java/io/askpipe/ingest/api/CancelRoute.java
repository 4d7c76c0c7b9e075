package io.askpipe.ingest.api;

import com.fasterxml.jackson.core.JsonProcessingException;
import io.askpipe.auth.BearerAuth;
import io.askpipe.common.http.ProblemException;
import io.askpipe.common.http.ProblemType;
import io.askpipe.ingest.ledger.AcceptedResponse;
import io.askpipe.ingest.ledger.AskLedger;
import io.askpipe.ingest.publish.CancelPublisher;
import io.askpipe.ingest.results.ResultWaiters;
import io.askpipe.schemas.AskCancel;
import io.askpipe.schemas.AskRequest;
import io.askpipe.schemas.AskResult;
import io.askpipe.schemas.AskStatus;
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
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.regex.Pattern;
import org.jooq.exception.DataAccessException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code POST /v1/ask/{id}/cancel}: its owner cancels an ask. The ledger tells the ask's owner (an
 * unknown id, or another user's, is a 404, as the read routes answer); the cancel goes to {@code
 * ask.cancels}, which every router worker reads, and the route waits up to {@code CANCEL_WAIT_MS}
 * for the ask's one terminal result on {@code ask.results}: {@code cancelled} is a 200 with the
 * moment it was cancelled, any other a 409 {@code ask-already-ended} that names it, and no outcome
 * in time (no worker running) a 202 {@code cancelling}, as the cancel goes on. An ask whose result
 * went by lately is answered at once, without a cancel. Cancelling again answers the same: the
 * first result kept is the ask's for good (docs/adr/0027-cancellation.md).
 */
public final class CancelRoute {
    /** The route's path; {@code :id} is the ask's request id. */
    public static final String PATH = "/v1/ask/:id/cancel";

    private static final Logger LOG = LoggerFactory.getLogger(CancelRoute.class);
    private static final Pattern UUID =
            Pattern.compile("[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}");
    private static final Duration RETRY_AFTER = Duration.ofSeconds(2);
    /** The status a cancel answers while its outcome is not known yet. */
    static final String CANCELLING = "cancelling";

    private final AskLedger ledger;
    private final CancelPublisher publisher;
    private final ResultWaiters results;
    private final Executor blocking;
    private final Duration publishTimeout;
    private final Duration wait;
    private final Clock clock;

    /**
     * @param blocking where the ledger lookup and the publish run, off the event loop
     * @param publishTimeout the longest the lookup and the publish take before a 503
     * @param wait how long the ask's outcome is waited for ({@code CANCEL_WAIT_MS})
     */
    public CancelRoute(
            AskLedger ledger,
            CancelPublisher publisher,
            ResultWaiters results,
            Executor blocking,
            Duration publishTimeout,
            Duration wait,
            Clock clock) {
        this.ledger = ledger;
        this.publisher = publisher;
        this.results = results;
        this.blocking = blocking;
        this.publishTimeout = publishTimeout;
        this.wait = wait;
        this.clock = clock;
    }

    /** Mounts the route on {@code router}, admitting callers through {@code auth}. */
    public void mount(Router router, BearerAuth auth) {
        router.post(PATH).handler(auth).handler(this::cancel);
    }

    private void cancel(RoutingContext ctx) {
        String id = ctx.pathParam("id");
        String userId = BearerAuth.caller(ctx).userId();
        if (!UUID.matcher(id).matches()) {
            throw notFound(id);
        }
        Context context = Vertx.currentContext();
        // the wait registered by send, forgotten here should send fail or run out of time after it
        AtomicReference<CompletableFuture<AskResult>> registered = new AtomicReference<>();
        CompletableFuture<CompletableFuture<AskResult>> sent;
        try {
            sent = CompletableFuture.supplyAsync(() -> send(id, userId, registered), blocking);
        } catch (RejectedExecutionException e) {
            throw unavailable(e);
        }
        sent.orTimeout(publishTimeout.toMillis(), TimeUnit.MILLISECONDS).whenComplete((awaited, error) -> {
            Throwable cause = error instanceof CompletionException ? error.getCause() : error;
            if (cause != null) {
                CompletableFuture<AskResult> waiting = registered.getAndSet(null);
                if (waiting != null) {
                    results.forget(id, waiting);
                }
                context.runOnContext(v -> ctx.fail(cause instanceof ProblemException ? cause : unavailable(cause)));
                return;
            }
            awaited.orTimeout(wait.toMillis(), TimeUnit.MILLISECONDS)
                    .whenComplete((result, late) -> context.runOnContext(v -> {
                        results.forget(id, awaited);
                        if (ctx.response().closed() || ctx.response().ended()) {
                            return;
                        }
                        if (late != null) {
                            respond(ctx, 202, id, CANCELLING, null);
                        } else {
                            answer(ctx, id, result);
                        }
                    }));
        });
    }

    /**
     * Looks the ask up for its owner and, unless its result went by lately (no cancel changes it),
     * publishes its cancel; returns the ask's result to come. Runs off the event loop.
     */
    private CompletableFuture<AskResult> send(
            String id, String userId, AtomicReference<CompletableFuture<AskResult>> registered) {
        // to the microsecond, as PostgreSQL keeps it: the 200 and GET /v1/ask/{id} say the same moment
        Instant now = clock.instant().truncatedTo(ChronoUnit.MICROS);
        AskRequest ask;
        try {
            ask = ledger.ask(id, now)
                    .filter(found -> found.userId().equals(userId))
                    .orElseThrow(() -> notFound(id));
        } catch (DataAccessException e) {
            LOG.warn("cancel of ask {} not taken: the ledger is unreachable: {}", id, e.toString());
            throw unavailable(e);
        }
        // waiting before the cancel is sent: an outcome published right after it is not missed
        CompletableFuture<AskResult> outcome = results.await(id);
        registered.set(outcome);
        if (outcome.isDone()) {
            return outcome;
        }
        try {
            publisher
                    .publish(new AskCancel(id, userId, ask.backend(), ask.model(), ask.acceptedAt(), now))
                    .get(publishTimeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            results.forget(id, outcome);
            throw unavailable(e);
        } catch (Exception e) {
            LOG.warn("cancel of ask {} not acknowledged by Kafka in time: {}", id, e.toString());
            results.forget(id, outcome);
            throw unavailable(e);
        }
        LOG.info("cancel of ask {} published for user {}", id, userId);
        return outcome;
    }

    private static void answer(RoutingContext ctx, String id, AskResult result) {
        if (result.status() == AskStatus.CANCELLED) {
            respond(ctx, 200, id, AskStatus.CANCELLED.wireName(), result.completedAt());
        } else {
            ctx.fail(new ProblemException(
                    ProblemType.ASK_ALREADY_ENDED,
                    "The ask " + id + " already ended " + result.status().wireName() + "; it cannot be cancelled"));
        }
    }

    private static void respond(RoutingContext ctx, int status, String id, String askStatus, Instant cancelledAt) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("request_id", id);
        body.put("status", askStatus);
        if (cancelledAt != null) {
            body.put("cancelled_at", cancelledAt.toString());
        }
        body.put("status_url", AcceptedResponse.statusUrl(id));
        try {
            ctx.response()
                    .setStatusCode(status)
                    .putHeader(HttpHeaders.CONTENT_TYPE, "application/json")
                    .putHeader(HttpHeaders.LOCATION, AcceptedResponse.statusUrl(id))
                    .end(Json.mapper().writeValueAsString(body));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a map of strings always serializes", e);
        }
    }

    private static ProblemException notFound(String id) {
        return new ProblemException(ProblemType.NOT_FOUND, "No ask with id " + id);
    }

    private static ProblemException unavailable(Throwable cause) {
        return ProblemException.unavailable("The cancel could not be taken right now; retry it", RETRY_AFTER, cause);
    }
}
