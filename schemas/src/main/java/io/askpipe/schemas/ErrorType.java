package io.askpipe.schemas;

import java.util.Arrays;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * The closed vocabulary of why an ask fails: each type carries its stable wire name, the HTTP
 * status a failed result reports, and whether the failure is retriable. This is the one place that
 * decides transient versus permanent: the router retries a retriable failure (honouring the
 * backend's {@code Retry-After}), counts it against the backend's circuit breaker and moves on to the
 * route's fallback; a permanent one ends the ask at once. docs/operations.md ("Error types") lists
 * them all, checked against this enum by a test.
 *
 * <p>Wire names never change: results written by any version are read by every later one, and a
 * replay of an old topic must mean what it meant. They predate naming by fault domain, so the
 * members are ordered by it instead: failures of the backend, of askpipe's credentials for it, and
 * of the request. A new failure that needs another status or another retriability is a new member
 * with a new name, never a second status for an old one; readers keep a type they do not know as
 * {@link AskError.UnknownType}.
 *
 * <p>One status per type. The status describes the ask's failure to askpipe's client, not the
 * status line the backend answered: the backend's own status goes into the error's message. So
 * every 5xx of a backend is {@code upstream_error} 502 (askpipe is the gateway that got a bad
 * answer), a 401 or 403 of a backend is {@code backend_auth_failed} 502 (the deployment's key, not
 * the client's), and every other 4xx of a backend (400, 404 for an unknown model, 413, 422) is
 * {@code invalid_request} 400: the client's request was refused, and distinguishing the backend's
 * reasons by status would tie askpipe's contract to each vendor's choice of status codes.
 */
public enum ErrorType implements AskError.Type {
    /** The backend is not configured, unreachable, or its circuit is open. */
    BACKEND_UNAVAILABLE("backend_unavailable", 503, true),
    /**
     * The backend did not answer within the time limit, or the router's own budget for the ask
     * ({@code ROUTER_ASK_DEADLINE_MS}) ran out first.
     */
    TIMEOUT("timeout", 503, true),
    /** The backend kept answering 429 until retries ran out. */
    RATE_LIMITED("rate_limited", 429, true),
    /** The backend failed with a 5xx; it may pass. */
    UPSTREAM_ERROR("upstream_error", 502, true),
    /**
     * The backend answered, but not with anything askpipe can use: a 2xx without a readable answer,
     * a status its API does not define for the call (such as a redirect), or an answer the
     * backend's client failed on. Permanent: asking again would get the same answer (and be billed
     * for it), and a backend that answers is healthy as far as its circuit breaker goes. Split from
     * {@link #UPSTREAM_ERROR}, which these failures were reported as until their retriability
     * became part of the type.
     */
    UPSTREAM_INVALID_RESPONSE("upstream_invalid_response", 502, false),
    /** The backend refused askpipe's credentials: a deployment problem, not the client's. */
    BACKEND_AUTH_FAILED("backend_auth_failed", 502, false),
    /**
     * The ask names a backend the deployment does not register. Ingest refuses such an ask; the
     * router fails one that reached the topic before the backend was unregistered.
     */
    UNKNOWN_BACKEND("unknown_backend", 422, false),
    /**
     * The ask names a model the deployment does not permit. Ingest refuses such an ask; the router
     * fails one that reached the topic before the model was no longer permitted.
     */
    MODEL_NOT_PERMITTED("model_not_permitted", 422, false),
    /** The backend rejected the request itself, e.g. an unknown model or a prompt too long. */
    INVALID_REQUEST("invalid_request", 400, false),
    /**
     * The ask's own deadline ({@code expires_after} or {@code deadline}) passed before it had an
     * answer: while it was queued, between retries, or during a call, which was cut at it. The
     * result is {@link AskStatus#EXPIRED}. 504 as a gateway that gave up waiting for its upstream
     * (OpenAI's {@code timeout_error}); permanent, since the deadline stays past.
     */
    DEADLINE_EXCEEDED("deadline_exceeded", 504, false),
    /**
     * The ask's owner cancelled it ({@code POST /v1/ask/{id}/cancel}) before it had an answer: while
     * it was queued (no backend call) or during a call, which was interrupted. The result is {@link
     * AskStatus#CANCELLED}. 499, the status nginx and gRPC's HTTP mapping give a request its client
     * gave up: the ask ended by its own side's choice, neither a fault of the request (4xx proper)
     * nor of askpipe (5xx); and unlike 409, which OpenAI's SDKs retry, no SDK retries it. Permanent.
     */
    CANCELLED("cancelled", 499, false);

    private static final Map<String, ErrorType> BY_WIRE_NAME =
            Arrays.stream(values()).collect(Collectors.toUnmodifiableMap(ErrorType::wireName, Function.identity()));

    private final String wireName;
    private final int httpStatus;
    private final boolean retriable;

    ErrorType(String wireName, int httpStatus, boolean retriable) {
        this.wireName = wireName;
        this.httpStatus = httpStatus;
        this.retriable = retriable;
    }

    /** The stable name on the wire, in the database and in the {@code error_type} metric label. */
    @Override
    public String wireName() {
        return wireName;
    }

    /** The HTTP status a failed result of this type reports. */
    @Override
    public int httpStatus() {
        return httpStatus;
    }

    /**
     * Whether the same call may succeed if tried again (and the failure says the backend is
     * unhealthy); false when trying again would end the same way.
     */
    public boolean retriable() {
        return retriable;
    }

    /** The type with wire name {@code wireName}, if this version knows it. */
    public static Optional<ErrorType> fromWireName(String wireName) {
        return Optional.ofNullable(BY_WIRE_NAME.get(wireName));
    }
}
