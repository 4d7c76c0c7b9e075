package io.askpipe.router.backend;

import io.askpipe.schemas.AskError;
import io.askpipe.schemas.ErrorType;
import io.askpipe.schemas.Usage;
import io.askpipe.schemas.chat.ChatMessage;
import io.askpipe.schemas.chat.FinishReason;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/** How a backend call ended. Exhaustive: a call completes or fails with a typed reason. */
public sealed interface BackendOutcome {

    /**
     * The backend answered: the assistant's {@code message} (text, tool calls or a refusal), why it
     * stopped, the tokens it used, and the vendor's {@code systemFingerprint} ({@code null} if none).
     */
    record Completed(
            String model, ChatMessage message, FinishReason finishReason, Usage usage, String systemFingerprint)
            implements BackendOutcome {
        public Completed {
            Objects.requireNonNull(model, "model");
            Objects.requireNonNull(message, "message");
            Objects.requireNonNull(finishReason, "finishReason");
            Objects.requireNonNull(usage, "usage");
        }

        /** A plain text answer that stopped by itself, without a fingerprint. */
        public Completed(String model, String answer, Usage usage) {
            this(
                    model,
                    ChatMessage.assistant(Objects.requireNonNull(answer, "answer")),
                    FinishReason.STOP,
                    usage,
                    null);
        }

        /** The assistant's text: the result's {@code answer}. */
        public String answer() {
            return message.text();
        }
    }

    /**
     * The backend did not answer.
     *
     * @param errorType why, which decides the result's HTTP status and whether the call is retried
     * @param message what happened, for a human; never a stack trace or a secret
     * @param retryAfter how long the backend asked us to wait ({@code Retry-After}), or {@code
     *     null}; only for a retriable type
     */
    record Failed(ErrorType errorType, String message, Duration retryAfter) implements BackendOutcome {
        public Failed {
            Objects.requireNonNull(errorType, "errorType");
            Objects.requireNonNull(message, "message");
            if (retryAfter != null && !errorType.retriable()) {
                throw new IllegalArgumentException("only a retriable failure waits for a retry: " + errorType);
            }
        }

        /** A failure of {@code type}, without a wait asked for. */
        public static Failed of(ErrorType type, String message) {
            return new Failed(type, message, null);
        }

        /** A retriable failure of {@code type} after which the backend asked to wait {@code retryAfter}. */
        public static Failed of(ErrorType type, String message, Optional<Duration> retryAfter) {
            return new Failed(type, message, retryAfter.orElse(null));
        }

        /** The status that describes the failure to the client: its type's. */
        public int httpStatus() {
            return errorType.httpStatus();
        }

        /**
         * Whether the same call may succeed if tried again (connection errors, timeouts, 429, 5xx), as
         * its type says; a retriable failure also counts against the backend's circuit breaker.
         */
        public boolean retriable() {
            return errorType.retriable();
        }

        /** The wait the backend asked for, if it asked. */
        public Optional<Duration> retryAfterHint() {
            return Optional.ofNullable(retryAfter);
        }

        /** The error a failed result carries. */
        public AskError toError() {
            return new AskError(errorType, message);
        }
    }
}
