package io.askpipe.schemas;

import java.util.Objects;

/**
 * Why an ask failed: a stable machine-readable {@code type} (such as {@code backend_unavailable}
 * or {@code timeout}), a human-readable message and the HTTP status that describes it best.
 */
public record AskError(String type, String message, int httpStatus) {
    /** The backend is not configured, unreachable, or its circuit is open (503). */
    public static final String BACKEND_UNAVAILABLE = "backend_unavailable";
    /** The backend did not answer within the time limit (503). */
    public static final String TIMEOUT = "timeout";
    /** The backend failed: a 5xx, a malformed response, or a bug in the client (502). */
    public static final String UPSTREAM_ERROR = "upstream_error";
    /** The backend kept answering 429 until retries ran out (429). */
    public static final String RATE_LIMITED = "rate_limited";
    /** The backend rejected the request itself, e.g. an unknown model or a prompt too long (400). */
    public static final String INVALID_REQUEST = "invalid_request";
    /** The backend refused askpipe's credentials: a deployment problem, not the client's (502). */
    public static final String BACKEND_AUTH_FAILED = "backend_auth_failed";
    /**
     * The ask names a backend the deployment does not register (422). Ingest refuses such an ask;
     * the router fails one that reached the topic before the backend was unregistered.
     */
    public static final String UNKNOWN_BACKEND = "unknown_backend";
    /**
     * The ask names a model the deployment does not permit (422). Ingest refuses such an ask; the
     * router fails one that reached the topic before the model was no longer permitted.
     */
    public static final String MODEL_NOT_PERMITTED = "model_not_permitted";

    public AskError {
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(message, "message");
        if (httpStatus < 400 || httpStatus > 599) {
            throw new IllegalArgumentException("an error's HTTP status is 4xx or 5xx: " + httpStatus);
        }
    }
}
