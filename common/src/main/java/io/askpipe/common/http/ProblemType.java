package io.askpipe.common.http;

import java.util.Arrays;
import java.util.Optional;

/**
 * The kinds of problem askpipe's HTTP API answers with. Each has a stable {@code type} URI that
 * clients may switch on; titles never change between occurrences.
 */
public enum ProblemType {
    MALFORMED_REQUEST(400, "malformed-request", "Malformed request"),
    UNAUTHORIZED(401, "unauthorized", "Unauthorized"),
    FORBIDDEN(403, "forbidden", "Forbidden"),
    NOT_FOUND(404, "not-found", "Not found"),
    METHOD_NOT_ALLOWED(405, "method-not-allowed", "Method not allowed"),
    REQUEST_IN_PROGRESS(409, "request-in-progress", "A request with this Idempotency-Key is in progress"),
    /** An ask's completion was asked for while the ask is still queued or running. */
    ASK_NOT_FINISHED(409, "ask-not-finished", "The ask is not finished"),
    /** A cancel came after the ask had ended otherwise; the detail names the status it ended with. */
    ASK_ALREADY_ENDED(409, "ask-already-ended", "The ask already ended"),
    PAYLOAD_TOO_LARGE(413, "payload-too-large", "Payload too large"),
    URI_TOO_LONG(414, "uri-too-long", "URI too long"),
    UNSUPPORTED_MEDIA_TYPE(415, "unsupported-media-type", "Unsupported media type"),
    VALIDATION_FAILED(422, "validation-failed", "Validation failed"),
    RATE_LIMITED(429, "rate-limited", "Too many requests"),
    /** The user's asks a minute ({@code QUOTA_RPM} or their override) are spent for now. */
    QUOTA_REQUESTS_PER_MINUTE(429, "quota-requests-per-minute", "Too many asks this minute"),
    /** The user has as many asks queued or running as their quota allows. */
    QUOTA_IN_FLIGHT(429, "quota-in-flight", "Too many asks in flight"),
    /** The user's token budget of the calendar month (UTC) is spent, until the next month. */
    QUOTA_MONTHLY_TOKENS(429, "quota-monthly-tokens", "Monthly token budget spent"),
    HEADERS_TOO_LARGE(431, "headers-too-large", "Request header fields too large"),
    IDEMPOTENCY_KEY_REUSED(422, "idempotency-key-reused", "Idempotency-Key reused with a different payload"),
    SERVICE_UNAVAILABLE(503, "service-unavailable", "Service unavailable"),
    NOT_READY(503, "not-ready", "Not ready"),
    /** A request that waits for an ask's result gave up waiting; the ask goes on. */
    WAIT_EXPIRED(504, "wait-expired", "The ask did not finish within the wait"),
    INTERNAL_ERROR(500, "internal-error", "Internal error");

    /** Every problem type URI starts with this. */
    public static final String BASE_URI = "https://askpipe.io/problems/";

    private final int status;
    private final String slug;
    private final String title;

    ProblemType(int status, String slug, String title) {
        this.status = status;
        this.slug = slug;
        this.title = title;
    }

    public int status() {
        return status;
    }

    public String title() {
        return title;
    }

    /**
     * The stable name of the type without its URI, {@code _} for {@code -} ({@code
     * validation_failed}): the {@code code} of an OpenAI error object ({@link OpenAiDialect}).
     */
    public String code() {
        return slug.replace('-', '_');
    }

    /** The stable type URI. */
    public String uri() {
        return BASE_URI + slug;
    }

    /** The problem type that stands for a bare HTTP status, such as a 413 from the body handler. */
    public static Optional<ProblemType> forStatus(int status) {
        return Arrays.stream(values()).filter(t -> t.status == status).findFirst();
    }
}
