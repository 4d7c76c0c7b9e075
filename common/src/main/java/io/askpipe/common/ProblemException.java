package io.askpipe.common;

import java.time.Duration;
import java.util.Optional;

/**
 * A known failure that is answered with a problem response. Thrown by handlers (or passed to {@code
 * RoutingContext.fail}); {@link Problems} renders it. Never carries a stack trace to the client.
 */
public final class ProblemException extends RuntimeException {
    private final ProblemType type;
    private final Duration retryAfter;
    private final java.util.List<io.askpipe.schemas.Problem.FieldError> errors;

    public ProblemException(ProblemType type, String detail) {
        this(type, detail, null, null);
    }

    public ProblemException(ProblemType type, String detail, Duration retryAfter, Throwable cause) {
        super(detail, cause, false, false);
        this.type = type;
        this.retryAfter = retryAfter;
        this.errors = java.util.List.of();
    }

    private ProblemException(ProblemType type, io.askpipe.schemas.Problem.FieldError error) {
        super(error.pointer() + " " + error.detail(), null, false, false);
        this.type = type;
        this.retryAfter = null;
        this.errors = java.util.List.of(error);
    }

    /** A 422 about one field, named by its JSON pointer. */
    public static ProblemException invalidField(String pointer, String detail) {
        return new ProblemException(
                ProblemType.VALIDATION_FAILED, new io.askpipe.schemas.Problem.FieldError(pointer, detail));
    }

    /** The offending fields of a validation problem; empty for other problems. */
    public java.util.List<io.askpipe.schemas.Problem.FieldError> errors() {
        return errors;
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
}
