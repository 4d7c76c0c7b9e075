package io.askpipe.router.spi;

import io.askpipe.schemas.Usage;
import java.util.Objects;

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
     * The backend did not answer. {@code errorType} is one of {@code AskError}'s stable types, and
     * {@code httpStatus} the status that best describes it to the client.
     */
    record Failed(String errorType, String message, int httpStatus) implements BackendOutcome {
        public Failed {
            Objects.requireNonNull(errorType, "errorType");
            Objects.requireNonNull(message, "message");
        }
    }
}
