package io.askpipe.router.backend.openai;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.askpipe.router.backend.http.Passthrough;
import io.askpipe.router.backend.http.UnsupportedField;
import io.askpipe.schemas.Json;
import io.askpipe.schemas.chat.ChatRequest;

/**
 * The body of an OpenAI chat-completions request for an ask: the ask's chat body as it is (every
 * field it set, with OpenAI's names, which are askpipe's), the model this backend is to use, the
 * members of {@code extra} merged in at the top level, and the operator's defaults ({@code
 * OPENAI_MAX_TOKENS}, {@code OPENAI_TEMPERATURE}) for what the ask leaves unset.
 */
final class OpenAiRequest {
    private OpenAiRequest() {}

    /**
     * The body for {@code chat} to {@code model}, with the defaults of {@code settings}.
     *
     * @throws UnsupportedField if a member of {@code extra} conflicts with the body
     */
    static ObjectNode body(ChatRequest chat, String model, OpenAiSettings settings) throws UnsupportedField {
        ObjectNode body = Json.mapper().valueToTree(chat);
        body.remove("extra"); // its members go to the top level, below
        body.put("model", model);
        Passthrough.merge(body, chat.extra());
        if (settings.maxTokens() != null && !body.has("max_tokens") && !body.has("max_completion_tokens")) {
            body.put("max_tokens", settings.maxTokens());
        }
        if (settings.temperature() != null && !body.has("temperature")) {
            body.put("temperature", settings.temperature());
        }
        return body;
    }
}
