package io.askpipe.router.backend;

import io.askpipe.schemas.chat.ChatRequest;
import java.util.Objects;
import java.util.Optional;

/**
 * What a backend is asked to do: the whole chat request as the client sent it (messages,
 * parameters, response format, tools, the {@code extra} passthrough) and the model this backend of
 * the route is to use.
 *
 * @param requestId the ask's id, for logs and upstream request tagging
 * @param chat the client's chat-completions request, in canonical form
 * @param model the model to use, or {@code null} for the backend's default; it may differ from
 *     {@code chat.model()} when the route maps the model for this backend
 */
public record BackendCall(String requestId, ChatRequest chat, String model) {
    public BackendCall {
        Objects.requireNonNull(requestId, "requestId");
        Objects.requireNonNull(chat, "chat");
    }

    /** A call of one user message, {@code prompt}: what an ask of the prompt shorthand is. */
    public static BackendCall ofPrompt(String requestId, String prompt, String model) {
        return new BackendCall(requestId, ChatRequest.ofPrompt(prompt, model), model);
    }

    /** The text of the last user message, or empty: what the dryrun backend echoes. */
    public String prompt() {
        return chat.lastUserText().orElse("");
    }

    /**
     * The most tokens the answer may have: the smaller of the ask's {@code max_tokens} and {@code
     * max_completion_tokens}, or empty when it sets neither.
     */
    public Optional<Integer> maxTokens() {
        if (chat.maxTokens() == null) {
            return Optional.ofNullable(chat.maxCompletionTokens());
        }
        return Optional.of(
                chat.maxCompletionTokens() == null
                        ? chat.maxTokens()
                        : Math.min(chat.maxTokens(), chat.maxCompletionTokens()));
    }
}
