package io.askpipe.schemas;

import java.util.Objects;

/**
 * Why an ask failed: a stable machine-readable {@code type} (such as {@code backend_unavailable}
 * or {@code timeout}), a human-readable message and the HTTP status that describes it best.
 */
public record AskError(String type, String message, int httpStatus) {
    public static final String BACKEND_UNAVAILABLE = "backend_unavailable";
    public static final String TIMEOUT = "timeout";
    public static final String UPSTREAM_ERROR = "upstream_error";

    public AskError {
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(message, "message");
        if (httpStatus < 400 || httpStatus > 599) {
            throw new IllegalArgumentException("an error's HTTP status is 4xx or 5xx: " + httpStatus);
        }
    }
}
