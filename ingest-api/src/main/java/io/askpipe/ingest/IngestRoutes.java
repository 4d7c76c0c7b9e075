package io.askpipe.ingest;

import io.askpipe.common.ProblemException;
import io.askpipe.common.ProblemType;
import io.askpipe.schemas.AskRequest;
import io.askpipe.schemas.AskStatus;
import io.askpipe.schemas.Json;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpHeaders;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The write routes: {@code POST /v1/ask}. An ask is answered 202 only after Kafka has acknowledged
 * it, so a 202 is never lost; when Kafka cannot take it in time the client gets a 503 with {@code
 * Retry-After} and may retry with the same {@code Idempotency-Key}.
 */
public final class IngestRoutes {
    /** The path of the submit route and the prefix of every ask's status URL. */
    public static final String ASK_PATH = "/v1/ask";

    static final String IDEMPOTENCY_KEY = "Idempotency-Key";
    /** Callers are anonymous until authentication arrives; every ask belongs to this user. */
    static final String ANONYMOUS = "anonymous";

    private static final Logger LOG = LoggerFactory.getLogger(IngestRoutes.class);
    private static final Pattern KEY = Pattern.compile("[\\x21-\\x7E]{1,255}");
    private static final Duration RETRY_AFTER = Duration.ofSeconds(2);

    private final AskPublisher publisher;
    private final IngestLimits limits;
    private final Duration publishTimeout;
    private final Clock clock;

    private IngestRoutes(AskPublisher publisher, IngestLimits limits, Duration publishTimeout, Clock clock) {
        this.publisher = publisher;
        this.limits = limits;
        this.publishTimeout = publishTimeout;
        this.clock = clock;
    }

    /** Mounts the write routes on {@code router}. */
    static void mount(
            Router router, AskPublisher publisher, IngestLimits limits, Duration publishTimeout, Clock clock) {
        IngestRoutes routes = new IngestRoutes(publisher, limits, publishTimeout, clock);
        router.post(ASK_PATH)
                .handler(BodyHandler.create(false).setBodyLimit(limits.maxBodyBytes()))
                .handler(routes::submit);
    }

    private void submit(RoutingContext ctx) {
        String contentType = ctx.request().getHeader(HttpHeaders.CONTENT_TYPE);
        if (contentType == null || !isJson(contentType)) {
            throw new ProblemException(
                    ProblemType.UNSUPPORTED_MEDIA_TYPE, "Send the ask as application/json, not " + contentType);
        }
        String idempotencyKey = idempotencyKey(ctx);
        AskSubmission submission = AskSubmission.parse(ctx.body().asString(), limits);
        AskRequest request = new AskRequest(
                RequestIds.next(clock).toString(),
                ANONYMOUS,
                idempotencyKey,
                submission.prompt(),
                submission.model(),
                submission.backend(),
                clock.instant());

        Context context = Vertx.currentContext();
        publisher
                .publish(request)
                .orTimeout(
                        publishTimeout.toMillis() + 1_000,
                        TimeUnit.MILLISECONDS) // backstop; the producer times out first
                .whenComplete((metadata, error) -> context.runOnContext(v -> {
                    if (error == null) {
                        accepted(ctx, request);
                    } else {
                        LOG.warn(
                                "ask {} not accepted: Kafka did not acknowledge it: {}",
                                request.requestId(),
                                error.toString());
                        ctx.fail(ProblemException.unavailable(
                                "The ask could not be queued right now; retry with the same Idempotency-Key",
                                RETRY_AFTER,
                                error));
                    }
                }));
    }

    private static void accepted(RoutingContext ctx, AskRequest request) {
        String statusUrl = ASK_PATH + "/" + request.requestId();
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("request_id", request.requestId());
        body.put("status", AskStatus.QUEUED.wireName());
        body.put("status_url", statusUrl);
        try {
            ctx.response()
                    .setStatusCode(202)
                    .putHeader(HttpHeaders.CONTENT_TYPE, "application/json")
                    .putHeader(HttpHeaders.LOCATION, statusUrl)
                    .putHeader(IDEMPOTENCY_KEY, request.idempotencyKey())
                    .end(Json.mapper().writeValueAsString(body));
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            ctx.fail(e);
        }
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
