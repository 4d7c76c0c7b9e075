package io.askpipe.router.backend;

import java.util.Objects;

/**
 * What a backend is asked to do.
 *
 * @param requestId the ask's id, for logs and upstream request tagging
 * @param prompt the user's prompt
 * @param model the model to use, or {@code null} for the backend's default
 */
public record BackendCall(String requestId, String prompt, String model) {
    public BackendCall {
        Objects.requireNonNull(requestId, "requestId");
        Objects.requireNonNull(prompt, "prompt");
    }
}
