package io.askpipe.router.spi;

import java.util.Objects;

/**
 * What a backend is asked to do.
 *
 * @param requestId the ask's id, for logs and upstream request tagging
 * @param askKey the name of the ask that its client chose (its Idempotency-Key), the same in every
 *     run of the same workload where request ids are new; chaos mode places its faults by it
 * @param prompt the user's prompt
 * @param model the model to use, or {@code null} for the backend's default
 */
public record BackendCall(String requestId, String askKey, String prompt, String model) {
    public BackendCall {
        Objects.requireNonNull(requestId, "requestId");
        Objects.requireNonNull(askKey, "askKey");
        Objects.requireNonNull(prompt, "prompt");
    }

    /** A call whose ask has no name but its id. */
    public BackendCall(String requestId, String prompt, String model) {
        this(requestId, requestId, prompt, model);
    }
}
