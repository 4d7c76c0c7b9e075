package io.askpipe.store.api;

import com.fasterxml.jackson.core.JsonProcessingException;
import io.askpipe.auth.BearerAuth;
import io.askpipe.common.http.ProblemException;
import io.askpipe.common.http.ProblemType;
import io.askpipe.schemas.AskStatus;
import io.askpipe.schemas.Json;
import io.askpipe.store.golden.GoldenQueries;
import io.askpipe.store.sink.AskRepository;
import io.askpipe.store.view.AskView;
import io.askpipe.store.webhook.WebhookDeliveries;
import io.askpipe.store.webhook.WebhookSecrets;
import io.vertx.core.MultiMap;
import io.vertx.core.http.HttpHeaders;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import java.util.regex.Pattern;
import org.jooq.exception.DataAccessException;

/**
 * The read routes, for callers with an API key: {@code GET /v1/ask/{id}} (and its result as OpenAI's
 * {@code chat.completion}, {@link CompletionRoute}), {@code GET /v1/asks},
 * {@code GET /v1/usage}, and the webhook routes: an ask's delivery and its attempts ({@code GET
 * /v1/ask/{id}/webhook}), sending it again ({@code POST /v1/ask/{id}/webhook/resend}), and the
 * caller's signing secret ({@code GET /v1/webhooks/secret}, {@code POST
 * /v1/webhooks/secret/rotate}); and, on the operations router beside {@code /metrics}, the
 * deployment's golden signals ({@code GET /observability}).
 * Database work runs off the event loop. An id that is not known, not even a valid id, or the id of
 * another user's ask is a 404 problem: a caller cannot tell another user's ask from none.
 */
public final class StoreRoutes {
    private static final Pattern UUID =
            Pattern.compile("[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}");

    private static final int DEFAULT_PAGE = 20;
    private static final int MAX_PAGE = 100;
    private static final int MAX_WAIT_SECONDS = 30;
    private static final String METADATA_PREFIX = "metadata.";

    private StoreRoutes() {}

    public static void mount(
            Router router, BearerAuth auth, AskRepository asks, AskWaiters waiters, Webhooks webhooks) {
        router.get("/v1/ask/:id").handler(auth).handler(ctx -> find(ctx, asks, waiters));
        CompletionRoute.mount(router, auth, asks, waiters);
        router.get("/v1/usage").handler(auth).handler(ctx -> usage(ctx, asks));
        router.get("/v1/asks").handler(auth).handler(ctx -> list(ctx, asks));
        router.get("/v1/ask/:id/webhook").handler(auth).handler(ctx -> {
            String id = ctx.pathParam("id");
            String requestId = requestId(id);
            String userId = BearerAuth.caller(ctx).userId();
            answer(ctx, () -> webhooks.deliveries().find(requestId, userId).orElseThrow(() -> noDelivery(id)));
        });
        router.post("/v1/ask/:id/webhook/resend").handler(auth).handler(ctx -> {
            String id = ctx.pathParam("id");
            String requestId = requestId(id);
            String userId = BearerAuth.caller(ctx).userId();
            webhooks.resends().acquire(userId).forEach(ctx.response()::putHeader);
            answer(
                    ctx,
                    202,
                    () -> webhooks.deliveries().resend(requestId, userId).orElseThrow(() -> noDelivery(id)));
        });
        router.get("/v1/webhooks/secret").handler(auth).handler(ctx -> {
            String userId = BearerAuth.caller(ctx).userId();
            answer(ctx, () -> webhooks.secrets().current(userId));
        });
        router.post("/v1/webhooks/secret/rotate").handler(auth).handler(ctx -> {
            String userId = BearerAuth.caller(ctx).userId();
            answer(ctx, () -> webhooks.secrets().rotate(userId, webhooks.secretGrace()));
        });
    }

    /** Mounts the routes for operators on the operations router: {@code GET /observability}. */
    public static void mountOperations(Router ops, GoldenQueries golden) {
        ops.get("/observability").handler(ctx -> answer(ctx, golden::compute));
    }

    /** What the webhook routes work with. */
    public record Webhooks(
            WebhookDeliveries deliveries, WebhookSecrets secrets, Duration secretGrace, ResendLimiter resends) {}

    /** The request id {@code id} names, lower case; a 404 problem if it is not even an id. */
    static String requestId(String id) {
        if (!UUID.matcher(id).matches()) {
            throw notFound(id);
        }
        return id.toLowerCase(Locale.ROOT);
    }

    private static ProblemException noDelivery(String id) {
        return new ProblemException(ProblemType.NOT_FOUND, "No webhook delivery for ask " + id);
    }

    /**
     * {@code GET /v1/asks?limit=&status=&cursor=&metadata.KEY=VALUE}: the caller's asks, newest
     * first, those whose metadata holds every pair given if any is. The cursor is opaque to clients
     * (the last request id of the page, base64url) and pages never shift when new asks arrive, as an
     * offset would.
     */
    private static void list(RoutingContext ctx, AskRepository asks) {
        String userId = BearerAuth.caller(ctx).userId();
        int limit = limit(ctx.queryParams().get("limit"));
        AskStatus status = status(ctx.queryParams().get("status"));
        Map<String, String> metadata = metadata(ctx.queryParams());
        String before = cursor(ctx.queryParams().get("cursor"));
        answer(ctx, () -> {
            List<AskView> page = asks.list(userId, status, metadata, before, limit + 1);
            boolean more = page.size() > limit;
            List<AskView> data = more ? page.subList(0, limit) : page;
            return new AskPage(data, more ? encodeCursor(data.getLast().requestId()) : null);
        });
    }

    private static int limit(String raw) {
        if (raw == null) {
            return DEFAULT_PAGE;
        }
        try {
            int limit = Integer.parseInt(raw);
            if (limit >= 1 && limit <= MAX_PAGE) {
                return limit;
            }
        } catch (NumberFormatException e) {
            // answered below
        }
        throw new ProblemException(ProblemType.MALFORMED_REQUEST, "limit must be a whole number from 1 to " + MAX_PAGE);
    }

    private static AskStatus status(String raw) {
        if (raw == null) {
            return null;
        }
        for (AskStatus status : AskStatus.values()) {
            if (status.wireName().equals(raw)) {
                return status;
            }
        }
        throw new ProblemException(
                ProblemType.MALFORMED_REQUEST,
                "status must be one of "
                        + String.join(
                                ", ",
                                java.util.Arrays.stream(AskStatus.values())
                                        .map(AskStatus::wireName)
                                        .toList()));
    }

    /**
     * The metadata pairs an ask must hold, from the parameters {@code metadata.KEY=VALUE}: each key
     * once, within the limits of metadata itself (at most 16 pairs, keys of at most 64 characters,
     * values of at most 512).
     */
    private static Map<String, String> metadata(MultiMap params) {
        Map<String, String> pairs = new TreeMap<>();
        for (String name : params.names()) {
            if (!name.startsWith(METADATA_PREFIX)) {
                continue;
            }
            String key = name.substring(METADATA_PREFIX.length());
            List<String> values = params.getAll(name);
            if (values.size() > 1) {
                throw new ProblemException(ProblemType.MALFORMED_REQUEST, name + " is given more than once");
            }
            if (key.isEmpty() || key.length() > 64 || values.getFirst().length() > 512) {
                throw new ProblemException(
                        ProblemType.MALFORMED_REQUEST,
                        "metadata.KEY=VALUE filters by a pair of metadata: keys of 1 to 64 characters, values of"
                                + " at most 512");
            }
            pairs.put(key, values.getFirst());
        }
        if (pairs.size() > 16) {
            throw new ProblemException(
                    ProblemType.MALFORMED_REQUEST, "at most 16 metadata filters, as an ask has at most 16 pairs");
        }
        return pairs;
    }

    private static String cursor(String raw) {
        if (raw == null) {
            return null;
        }
        try {
            String id = new String(Base64.getUrlDecoder().decode(raw), StandardCharsets.US_ASCII);
            if (UUID.matcher(id).matches()) {
                return id.toLowerCase(Locale.ROOT);
            }
        } catch (IllegalArgumentException e) {
            // answered below
        }
        throw new ProblemException(
                ProblemType.MALFORMED_REQUEST, "cursor is not one this API returned; start again without it");
    }

    private static String encodeCursor(String requestId) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(requestId.getBytes(StandardCharsets.US_ASCII));
    }

    private static void find(RoutingContext ctx, AskRepository asks, AskWaiters waiters) {
        String id = ctx.pathParam("id");
        String requestId = requestId(id);
        String userId = BearerAuth.caller(ctx).userId();
        Duration wait = waitParameter(ctx.queryParams().get("wait"));
        if (wait.isZero()) {
            answer(ctx, () -> asks.find(requestId, userId).orElseThrow(() -> notFound(id)));
            return;
        }
        // an ask not (yet) in the store is waited for too: right after its 202 it may not be
        LongPoll poll = LongPoll.start(
                ctx.vertx(), waiters, requestId, userId, wait, () -> asks.find(requestId, userId), result -> {
                    if (result.failed()) {
                        ctx.fail(unavailable(result.cause()));
                    } else if (result.result().isEmpty()) {
                        ctx.fail(notFound(id));
                    } else {
                        respondJson(ctx, result.result().get());
                    }
                });
        // a client that hangs up stops waiting at once, not when its wait runs out
        ctx.response().closeHandler(closed -> poll.abandon());
    }

    /** The {@code wait} parameter of a long poll: none, or 0 to 30 seconds, else a 400 problem. */
    static Duration waitParameter(String raw) {
        if (raw == null) {
            return Duration.ZERO;
        }
        try {
            int seconds = Integer.parseInt(raw);
            if (seconds >= 0 && seconds <= MAX_WAIT_SECONDS) {
                return Duration.ofSeconds(seconds);
            }
        } catch (NumberFormatException e) {
            // answered below
        }
        throw new ProblemException(
                ProblemType.MALFORMED_REQUEST, "wait must be a whole number of seconds from 0 to " + MAX_WAIT_SECONDS);
    }

    private static void usage(RoutingContext ctx, AskRepository asks) {
        String userId = BearerAuth.caller(ctx).userId();
        answer(ctx, () -> asks.usage(userId));
    }

    /** Runs {@code query} off the event loop and answers its result as JSON. */
    private static void answer(RoutingContext ctx, Callable<Object> query) {
        answer(ctx, 200, query);
    }

    /** Runs {@code query} off the event loop and answers its result as JSON with {@code status}. */
    private static void answer(RoutingContext ctx, int status, Callable<Object> query) {
        ctx.vertx()
                .executeBlocking(query, false)
                .onSuccess(body -> {
                    ctx.response().setStatusCode(status);
                    respondJson(ctx, body);
                })
                .onFailure(error -> ctx.fail(unavailable(error)));
    }

    private static void respondJson(RoutingContext ctx, Object body) {
        try {
            ctx.response()
                    .putHeader(HttpHeaders.CONTENT_TYPE, "application/json")
                    .putHeader(HttpHeaders.CACHE_CONTROL, "no-store")
                    .end(Json.mapper().writeValueAsString(body));
        } catch (JsonProcessingException e) {
            ctx.fail(e);
        }
    }

    /** A database failure as a 503; any other failure as it is. */
    static Throwable unavailable(Throwable cause) {
        return cause instanceof DataAccessException
                ? ProblemException.unavailable(
                        "The result store cannot reach its database right now", Duration.ofSeconds(5), cause)
                : cause;
    }

    static ProblemException notFound(String id) {
        return new ProblemException(ProblemType.NOT_FOUND, "No ask with id " + id);
    }
}
