package io.askpipe.common.http;

import io.askpipe.schemas.Problem.FieldError;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A known failure that is answered with a problem response. Thrown by handlers (or passed to {@code
 * RoutingContext.fail}); {@link Problems} renders it. Never carries a stack trace to the client.
 */
public final class ProblemException extends RuntimeException {
    private final ProblemType type;
    private final Duration retryAfter;
    private final List<FieldError> errors;
    private final Map<String, String> headers;

    public ProblemException(ProblemType type, String detail) {
        this(type, detail, null, null);
    }

    public ProblemException(ProblemType type, String detail, Duration retryAfter, Throwable cause) {
        this(type, detail, retryAfter, cause, List.of(), Map.of());
    }

    private ProblemException(
            ProblemType type,
            String detail,
            Duration retryAfter,
            Throwable cause,
            List<FieldError> errors,
            Map<String, String> headers) {
        super(detail, cause, false, false);
        this.type = type;
        this.retryAfter = retryAfter;
        this.errors = List.copyOf(errors);
        this.headers = Map.copyOf(headers);
    }

    /** A 422 about one field, named by its JSON pointer. */
    public static ProblemException invalidField(String pointer, String detail) {
        return new ProblemException(
                ProblemType.VALIDATION_FAILED,
                pointer + " " + detail,
                null,
                null,
                List.of(new FieldError(pointer, detail)),
                Map.of());
    }

    /**
     * A 400 about one parameter of a request to a route that speaks OpenAI's dialect, named as
     * OpenAI names its parameters ({@code input_file_id}, {@code metadata}): OpenAI answers a bad
     * value with 400 and the parameter in {@code param}, where askpipe's own routes answer 422.
     */
    public static ProblemException invalidParameter(String param, String detail) {
        return new ProblemException(
                ProblemType.MALFORMED_REQUEST, detail, null, null, List.of(new FieldError(param, detail)), Map.of());
    }

    /**
     * A 401 with the {@code WWW-Authenticate} challenge of RFC 6750: {@code Bearer realm="askpipe"},
     * plus {@code error="invalid_token"} when a key was presented but is not valid.
     */
    public static ProblemException unauthorized(String detail, boolean invalidToken) {
        String challenge = "Bearer realm=\"askpipe\"" + (invalidToken ? ", error=\"invalid_token\"" : "");
        return new ProblemException(
                ProblemType.UNAUTHORIZED, detail, null, null, List.of(), Map.of("WWW-Authenticate", challenge));
    }

    /**
     * A 429: the caller sent more than its share; {@code Retry-After} says when it may try again,
     * {@code headers} may add the IETF {@code RateLimit-Policy} and {@code RateLimit} fields.
     */
    public static ProblemException rateLimited(String detail, Duration retryAfter, Map<String, String> headers) {
        return new ProblemException(ProblemType.RATE_LIMITED, detail, retryAfter, null, List.of(), headers);
    }

    /**
     * A 429 of one of a user's quotas ({@code type}, a 429 type): {@code Retry-After} says when it
     * may try again, {@code headers} carry the IETF {@code RateLimit-Policy} and {@code RateLimit}
     * fields.
     */
    public static ProblemException overQuota(
            ProblemType type, String detail, Duration retryAfter, Map<String, String> headers) {
        if (type.status() != 429) {
            throw new IllegalArgumentException(type + " is not a quota's problem type");
        }
        return new ProblemException(type, detail, retryAfter, null, List.of(), headers);
    }

    /** A 503 that tells the client when to try again. */
    public static ProblemException unavailable(String detail, Duration retryAfter, Throwable cause) {
        return new ProblemException(ProblemType.SERVICE_UNAVAILABLE, detail, retryAfter, cause);
    }

    public ProblemType type() {
        return type;
    }

    public Optional<Duration> retryAfter() {
        return Optional.ofNullable(retryAfter);
    }

    /** The offending fields of a validation problem; empty for other problems. */
    public List<FieldError> errors() {
        return errors;
    }

    /** Response headers that belong to this problem (besides {@code Retry-After}). */
    public Map<String, String> headers() {
        return headers;
    }
}
