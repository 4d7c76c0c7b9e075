package io.askpipe.ingest.files;

import io.askpipe.common.http.ProblemType;
import io.askpipe.schemas.completion.OpenAiError;

/**
 * A request to {@code /v1/files} refused for one of its parameters, answered as OpenAI answers
 * it: the status, and the parameter's name as the error's {@code param}.
 */
final class Refusal extends RuntimeException {
    private final transient OpenAiError error;

    /** A refusal of {@code type} ({@code 400}, {@code 413}) naming {@code param}. */
    Refusal(ProblemType type, String param, String message) {
        super(message, null, false, false);
        this.error = OpenAiError.of(type.status(), message, param, type.code());
    }

    OpenAiError error() {
        return error;
    }
}
