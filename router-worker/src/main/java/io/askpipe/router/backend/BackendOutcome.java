package io.askpipe.router.backend;

import io.askpipe.schemas.Usage;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/** How a backend call ended. Exhaustive: a call completes or fails with a typed reason. */
public sealed interface BackendOutcome {

    /** The backend answered. */
    record Completed(String model, String answer, Usage usage) implements BackendOutcome {
        public Completed {
            Objects.requireNonNull(model, "model");
            Objects.requireNonNull(answer, "answer");
            Objects.requireNonNull(usage, "usage");
        }
    }

    /**
     * The backend did not answer.
     *
     * @param errorType one of {@code AskError}'s stable types
     * @param message what happened, for a human; never a stack trace or a secret
     * @param httpStatus the status that best describes the failure to the client
     * @param retriable whether the same call may succeed if tried again (connection errors, 429,
     *     5xx); a retriable failure also counts against the backend's circuit breaker
     * @param retryAfter how long the backend asked us to wait ({@code Retry-After}), or {@code null}
     */
    record Failed(String errorType, String message, int httpStatus, boolean retriable, Duration retryAfter)
            implements BackendOutcome {
        public Failed {
            Objects.requireNonNull(errorType, "errorType");
            Objects.requireNonNull(message, "message");
        }

        /** A failure that trying again will not cure, such as a rejected request. */
        public static Failed permanent(String errorType, String message, int httpStatus) {
            return new Failed(errorType, message, httpStatus, false, null);
        }

        /** A failure that may pass, such as a refused connection, a 429 or a 5xx. */
        public static Failed transientFailure(String errorType, String message, int httpStatus, Duration retryAfter) {
            return new Failed(errorType, message, httpStatus, true, retryAfter);
        }

        /** The wait the backend asked for, if it asked. */
        public Optional<Duration> retryAfterHint() {
            return Optional.ofNullable(retryAfter);
        }
    }
}
