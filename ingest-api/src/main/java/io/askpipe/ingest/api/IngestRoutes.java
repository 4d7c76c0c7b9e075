package io.askpipe.ingest.api;

import io.askpipe.auth.BearerAuth;
import io.askpipe.common.callback.CallbackPolicy;
import io.askpipe.common.fault.Fault;
import io.askpipe.common.fault.FaultInjector;
import io.askpipe.common.http.BodyLimit;
import io.askpipe.common.http.ProblemException;
import io.askpipe.common.http.ProblemType;
import io.askpipe.common.log.LogContext;
import io.askpipe.common.service.Metrics;
import io.askpipe.ingest.ledger.AcceptedResponse;
import io.askpipe.ingest.ledger.AskLedger;
import io.askpipe.ingest.publish.AskPublisher;
import io.askpipe.ingest.quota.Quotas;
import io.askpipe.schemas.AskRequest;
import io.askpipe.schemas.Headers;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpHeaders;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.BiConsumer;
import java.util.regex.Pattern;
import org.apache.kafka.common.KafkaException;
import org.jooq.exception.DataAccessException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The write routes: {@code POST /v1/ask} for callers with an API key, idempotent per (user, method, path, {@code
 * Idempotency-Key}) as the IETF draft and Stripe describe. The first request with a key claims it
 * in the shared ledger, publishes the ask and answers 202 once Kafka acknowledged it; a retry with
 * the same payload gets that answer again (with {@code Idempotent-Replayed: true}), with another
 * payload a 422, and while the first is still being accepted a 409. When Kafka or the database
 * cannot take the ask in time the client gets a 503 with {@code Retry-After}, within the publish
 * timeout from the moment the submit was taken whatever they do; so does a submit beyond the bound
 * on submits in flight, at once. An ask that was claimed but not published is published later from
 * the ledger, so a retry converges on one ask; one that can never be published (too large for the
 * broker) is set aside, and it and every retry with its key get a final problem instead.
 * Chaos mode ({@code CHAOS_INGEST_PUBLISH_FAILURE}) fails a client's publish the same way, keyed by
 * the {@code Idempotency-Key}.
 *
 * <p>A new ask passes its user's {@link Quotas} after its key is claimed and before it is published:
 * a retry of an accepted ask is replayed by the ledger without counting again or being refused,
 * and an ask over a quota gives its claim up again and is answered 429 with the quota's problem
 * type and the IETF {@code RateLimit} fields, which an accepted ask carries too.
 */
public final class IngestRoutes {
    /** The path of the submit route and the prefix of every ask's status URL. */
    public static final String ASK_PATH = "/v1/ask";

    static final String IDEMPOTENCY_KEY = "Idempotency-Key";
    static final String REPLAYED = "Idempotent-Replayed";

    private static final String METHOD = "POST";
    private static final Logger LOG = LoggerFactory.getLogger(IngestRoutes.class);
    /** The line per ask and hop (LOG_ASKS). */
    private static final Logger ASKS = LoggerFactory.getLogger("io.askpipe.ingest.asks");

    private static final Pattern KEY = Pattern.compile("[\\x21-\\x7E]{1,255}");
    private static final Duration RETRY_AFTER = Duration.ofSeconds(2);

    private final AskPublisher publisher;
    private final AskLedger ledger;
    private final QuotaAdmission admission;
    private final Executor blocking;
    private final IngestLimits limits;
    private final CallbackPolicy callbacks;
    private final Duration publishTimeout;
    private final Duration idempotencyTtl;
    private final Clock clock;
    private final FaultInjector faults;
    private final Timer claimed;
    private final Timer published;
    private final AcceptedMarks marks;
    private final MeterRegistry registry;

    /**
     * The write routes over {@code publisher} and {@code ledger}, admitting new asks by {@code
     * quotas}; each submit's ledger, quota and Kafka work runs on {@code blocking}.
     */
    public IngestRoutes(
            AskPublisher publisher,
            AskLedger ledger,
            Quotas quotas,
            Executor blocking,
            IngestLimits limits,
            CallbackPolicy callbacks,
            Duration publishTimeout,
            Duration idempotencyTtl,
            Clock clock,
            FaultInjector faults,
            MeterRegistry registry) {
        this.publisher = publisher;
        this.ledger = ledger;
        this.admission = new QuotaAdmission(quotas, ledger, METHOD, registry);
        this.blocking = blocking;
        this.limits = limits;
        this.callbacks = callbacks;
        this.publishTimeout = publishTimeout;
        this.idempotencyTtl = idempotencyTtl;
        this.clock = clock;
        this.faults = faults;
        this.claimed = Metrics.stage(registry, "ingest_claim");
        this.published = Metrics.stage(registry, "ingest_publish");
        this.marks = new AcceptedMarks(ledger, Metrics.stage(registry, "ingest_mark"));
        this.registry = registry;
    }

    /** Counts an ask set aside for {@code reason}, whichever path set it aside. */
    public static void countSetAside(MeterRegistry registry, String reason) {
        Counter.builder("ingest_asks_set_aside")
                .tag("reason", reason)
                .description("Asks that can never be published, set aside in the ledger with their reason")
                .register(registry)
                .increment();
    }

    /**
     * The count of submits refused for {@code reason}: {@code overloaded} before any work, or the
     * code of the user's quota that refused a new ask.
     */
    public static Counter rejected(MeterRegistry registry, String reason) {
        return Counter.builder("ingest_rejected")
                .tag("reason", reason)
                .description("Submits refused: overloaded (INGEST_MAX_IN_FLIGHT submits being accepted, before any"
                        + " work), or over the user's quota named by the reason")
                .register(registry);
    }

    /** Mounts the write routes on {@code router}, admitting callers through {@code auth}. */
    public void mount(Router router, BearerAuth auth) {
        router.post(ASK_PATH)
                .handler(BodyLimit.of(limits.maxBodyBytes()))
                .handler(auth)
                .handler(this::submit);
    }

    /** The largest body a submit route takes. */
    int maxBodyBytes() {
        return limits.maxBodyBytes();
    }

    /** What the client is answered; {@code headers} are the quotas' {@code RateLimit} fields, if any. */
    record Answer(int status, String body, String requestId, boolean replayed, Map<String, String> headers) {}

    private void submit(RoutingContext ctx) {
        take(ctx, ASK_PATH, (answer, idempotencyKey) -> respond(ctx, answer, idempotencyKey));
    }

    /**
     * Validates, claims (under {@code path}'s keys) and publishes the ask in {@code ctx}'s body;
     * {@code accepted} gets the answer and the {@code Idempotency-Key} on the event loop, and any
     * failure fails {@code ctx}, within the publish timeout.
     */
    void take(RoutingContext ctx, String path, BiConsumer<Answer, String> accepted) {
        String contentType = ctx.request().getHeader(HttpHeaders.CONTENT_TYPE);
        if (contentType == null || !isJson(contentType)) {
            throw new ProblemException(
                    ProblemType.UNSUPPORTED_MEDIA_TYPE, "Send the ask as application/json, not " + contentType);
        }
        String idempotencyKey = idempotencyKey(ctx);
        // the one moment the ask is accepted at: a deadline is judged against it, expires_after counts from it
        Instant now = clock.instant();
        AskSubmission submission = AskSubmission.parse(ctx.body().asString(), limits, callbacks, now);
        AskRequest request = new AskRequest(
                RequestIds.next(clock).toString(),
                BearerAuth.caller(ctx).userId(),
                idempotencyKey,
                submission.chat(),
                submission.backend(),
                now,
                submission.callbackUrl(),
                submission.metadata(),
                Traceparent.parse(ctx.request().getHeader(Headers.TRACEPARENT)),
                submission.expiry().map(expiry -> expiry.deadline(now)),
                submission.priority());
        String fingerprint = submission.fingerprint();

        Context context = Vertx.currentContext();
        long deadline = System.nanoTime() + publishTimeout.toNanos();
        CompletableFuture<Answer> answered;
        try {
            answered = CompletableFuture.supplyAsync(() -> accept(request, fingerprint, path, deadline), blocking);
        } catch (RejectedExecutionException e) {
            throw ProblemException.unavailable(
                    "Too many asks are being accepted right now; retry with the same Idempotency-Key", RETRY_AFTER, e);
        }
        // whatever the ledger or Kafka do, the client is answered within the publish timeout
        answered.orTimeout(publishTimeout.toMillis(), TimeUnit.MILLISECONDS)
                .whenComplete((answer, error) -> context.runOnContext(v -> {
                    Throwable cause = error instanceof CompletionException ? error.getCause() : error;
                    if (cause instanceof TimeoutException timeout) {
                        LOG.warn(
                                "ask {} not accepted within {} ms; a retry converges on it",
                                request.requestId(),
                                publishTimeout.toMillis());
                        ctx.fail(unavailable(timeout));
                    } else if (cause != null) {
                        ctx.fail(cause);
                    } else {
                        accepted.accept(answer, idempotencyKey);
                    }
                }));
    }

    /** Claims the key, publishes, records the answer. Runs off the event loop. */
    private Answer accept(AskRequest request, String fingerprint, String path, long deadline) {
        try (var log = LogContext.of("request_id", request.requestId(), "traceparent", request.traceparent())) {
            return acceptInScope(request, fingerprint, path, deadline);
        }
    }

    private Answer acceptInScope(AskRequest request, String fingerprint, String path, long deadline) {
        if (request.callbackUrl() != null) {
            checkCallback(request.callbackUrl());
        }
        Instant now = clock.instant();
        AskLedger.Claim claim;
        long claiming = System.nanoTime();
        try {
            claim = ledger.claim(request, METHOD, path, fingerprint, now, now.plus(idempotencyTtl));
            claimed.record(System.nanoTime() - claiming, TimeUnit.NANOSECONDS);
        } catch (DataAccessException e) {
            LOG.warn(
                    "ask {} not accepted: the idempotency ledger is unreachable: {}",
                    request.requestId(),
                    e.toString());
            throw unavailable(e);
        }
        return switch (claim) {
            case AskLedger.Claim.Won won -> publish(request, path, deadline, admission.admit(request, path));
            case AskLedger.Claim.Replay replay ->
                new Answer(replay.status(), replay.body(), replay.requestId(), true, Map.of());
            case AskLedger.Claim.InProgress inProgress
            when awaitMark(inProgress.requestId(), deadline) ->
                // a retry of an ask this instance just answered: its answer is recorded now
                acceptInScope(request, fingerprint, path, deadline);
            case AskLedger.Claim.InProgress inProgress ->
                throw new ProblemException(
                        ProblemType.REQUEST_IN_PROGRESS,
                        "A request with this Idempotency-Key is still being accepted; retry shortly",
                        Duration.ofSeconds(1),
                        null);
            case AskLedger.Claim.Mismatch mismatch ->
                throw new ProblemException(
                        ProblemType.IDEMPOTENCY_KEY_REUSED,
                        "This Idempotency-Key was used for a different ask; use a new key for a new ask");
            case AskLedger.Claim.SetAside setAside -> throw setAside(setAside.reason());
        };
    }

    /**
     * Refuses a callback whose host resolves to an address askpipe must not call, or to nothing (a
     * DNS lookup). The client is told only {@link CallbackPolicy#NOT_PUBLIC}, whichever it was; the
     * policy logs the host and its addresses.
     */
    private void checkCallback(String callbackUrl) {
        try {
            callbacks.resolve(callbacks.parse(callbackUrl));
        } catch (CallbackPolicy.Rejected e) {
            throw ProblemException.invalidField("/callback_url", e.getMessage());
        }
    }

    private Answer publish(AskRequest request, String path, long deadline, Map<String, String> rateLimit) {
        try {
            if (faults.strikesAgain(Fault.INGEST_PUBLISH_FAILURE, request.idempotencyKey())) {
                // as a publish Kafka did not acknowledge: nothing is sent, the claim stays
                throw new ExecutionException(new KafkaException("publish failed (injected by chaos mode)"));
            }
            long publishing = System.nanoTime();
            publisher.publish(request).get(deadline - System.nanoTime(), TimeUnit.NANOSECONDS);
            published.record(System.nanoTime() - publishing, TimeUnit.NANOSECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw unavailable(e);
        } catch (ExecutionException e) {
            if (AskPublisher.permanentFailure(e).orElse(null) instanceof String reason) {
                setAsideNow(request, path, reason);
                throw setAside(reason);
            }
            LOG.warn(
                    "ask {} not acknowledged by Kafka in time; it will be published from the ledger: {}",
                    request.requestId(),
                    e.toString());
            throw unavailable(e);
        } catch (TimeoutException e) {
            // the claim stays: the ledger's recovery publishes the ask, and a retry converges on it
            LOG.warn(
                    "ask {} not acknowledged by Kafka in time; it will be published from the ledger: {}",
                    request.requestId(),
                    e.toString());
            throw unavailable(e);
        }
        String body = AcceptedResponse.body(request);
        // the 202 is durable now: the answer is recorded for retries after it is sent
        try {
            marks.mark(request, METHOD, path, 202, body, deadline);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt(); // stopping: the ask is on Kafka, answer it
        }
        ASKS.info("ask accepted for user {}", request.userId());
        return new Answer(202, body, request.requestId(), false, rateLimit);
    }

    /** Whether this instance had the mark of {@code requestId} pending and it was written by {@code deadline}. */
    private boolean awaitMark(String requestId, long deadline) {
        try {
            return marks.awaitWritten(requestId, deadline);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw unavailable(e);
        }
    }

    /** Sets an ask that can never be published aside in the ledger, so that retries hear so too. */
    private void setAsideNow(AskRequest request, String path, String reason) {
        LOG.error("ask {} can never be published ({}): set aside", request.requestId(), reason);
        countSetAside(registry, reason);
        try {
            ledger.setAside(request, METHOD, path, reason);
        } catch (DataAccessException e) {
            // the claim stays: the ledger's recovery sets it aside once it is abandoned
            LOG.warn("ask {} not set aside in the ledger yet: {}", request.requestId(), e.toString());
        }
    }

    /** The final answer for an ask that was set aside: no retry with its key changes it. */
    private static ProblemException setAside(String reason) {
        if ("too_large".equals(reason)) {
            return new ProblemException(
                    ProblemType.PAYLOAD_TOO_LARGE,
                    "The ask is larger than the request queue takes and was set aside; send a smaller ask"
                            + " with a new Idempotency-Key");
        }
        return new ProblemException(
                ProblemType.INTERNAL_ERROR,
                "The ask could not be queued (" + reason + ") and was set aside; it will not be retried."
                        + " Send it again with a new Idempotency-Key");
    }

    static ProblemException unavailable(Throwable cause) {
        return ProblemException.unavailable(
                "The ask could not be queued right now; retry with the same Idempotency-Key", RETRY_AFTER, cause);
    }

    private static void respond(RoutingContext ctx, Answer answer, String idempotencyKey) {
        var response = ctx.response()
                .setStatusCode(answer.status())
                .putHeader(HttpHeaders.CONTENT_TYPE, "application/json")
                .putHeader(IDEMPOTENCY_KEY, idempotencyKey);
        if (answer.status() == 202) {
            response.putHeader(HttpHeaders.LOCATION, AcceptedResponse.statusUrl(answer.requestId()));
        }
        if (answer.replayed()) {
            response.putHeader(REPLAYED, "true");
        }
        answer.headers().forEach(response::putHeader);
        response.end(answer.body());
    }

    private static String idempotencyKey(RoutingContext ctx) {
        String key = ctx.request().getHeader(IDEMPOTENCY_KEY);
        if (key == null) {
            return UUID.randomUUID().toString();
        }
        if (!KEY.matcher(key).matches()) {
            throw new ProblemException(
                    ProblemType.MALFORMED_REQUEST,
                    "Idempotency-Key must be 1-255 visible ASCII characters without spaces");
        }
        return key;
    }

    private static boolean isJson(String contentType) {
        String mediaType = contentType.split(";", 2)[0].strip().toLowerCase(java.util.Locale.ROOT);
        return mediaType.equals("application/json") || mediaType.endsWith("+json");
    }
}
