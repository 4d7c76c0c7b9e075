package io.askpipe.router.backend.openai;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.askpipe.router.backend.Backend;
import io.askpipe.router.backend.BackendCall;
import io.askpipe.router.backend.BackendOutcome;
import io.askpipe.router.backend.http.UpstreamHttp;
import io.askpipe.schemas.Json;
import io.askpipe.schemas.Usage;
import java.net.URI;
import java.net.http.HttpRequest;
import java.time.Clock;
import java.time.Duration;
import java.util.Optional;

/**
 * Any OpenAI-compatible Chat Completions API: {@code POST {baseUrl}/v1/chat/completions} with the
 * prompt as the one user message, the answer from {@code choices[0].message.content}. Failures are
 * mapped as {@link UpstreamHttp} describes. Thread-safe; the only state is the HTTP client.
 */
public final class OpenAiBackend implements Backend, AutoCloseable {
    public static final String NAME = "openai";

    private final OpenAiSettings settings;
    private final URI endpoint;
    private final UpstreamHttp http;

    public OpenAiBackend(OpenAiSettings settings) {
        this(settings, UpstreamHttp.DEFAULT_CONNECT_TIMEOUT);
    }

    /** @param connectTimeout how long to wait for a connection to the API */
    OpenAiBackend(OpenAiSettings settings, Duration connectTimeout) {
        this.settings = settings;
        this.endpoint = URI.create(settings.baseUrl() + "/v1/chat/completions");
        this.http = new UpstreamHttp(NAME, connectTimeout, settings.apiKey(), Clock.systemUTC());
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public BackendOutcome call(BackendCall call) throws InterruptedException {
        String model = call.model() == null || call.model().isBlank() ? settings.model() : call.model();
        ObjectNode body = Json.mapper().createObjectNode();
        body.put("model", model);
        body.putArray("messages").addObject().put("role", "user").put("content", call.prompt());
        if (settings.maxTokens() != null) {
            body.put("max_tokens", settings.maxTokens());
        }
        if (settings.temperature() != null) {
            body.put("temperature", settings.temperature());
        }
        HttpRequest.Builder request = http.post(endpoint, body, call.requestId());
        if (settings.apiKey() != null) {
            request.header("Authorization", "Bearer " + settings.apiKey());
        }
        return http.exchange(request.build(), response -> completed(response, model));
    }

    /** {@code GET {baseUrl}/v1/models}: the API answers and takes the key. */
    @Override
    public Optional<String> ping() throws InterruptedException {
        return http.ping(
                URI.create(settings.baseUrl() + "/v1/models"),
                settings.apiKey() == null ? null : "Bearer " + settings.apiKey());
    }

    private static BackendOutcome.Completed completed(JsonNode response, String requestedModel)
            throws UpstreamHttp.MalformedAnswer {
        JsonNode content = response.path("choices").path(0).path("message").path("content");
        if (!content.isTextual()) {
            throw new UpstreamHttp.MalformedAnswer("choices[0].message.content");
        }
        JsonNode usage = response.path("usage");
        int prompt = UpstreamHttp.tokens(usage, "prompt_tokens");
        int completion = UpstreamHttp.tokens(usage, "completion_tokens");
        Usage tokens = usage.path("total_tokens").canConvertToInt()
                ? new Usage(prompt, completion, UpstreamHttp.tokens(usage, "total_tokens"))
                : UpstreamHttp.usage(prompt, completion);
        JsonNode model = response.path("model");
        return new BackendOutcome.Completed(
                model.isTextual() && !model.asText().isBlank() ? model.asText() : requestedModel,
                content.asText(),
                tokens);
    }

    /** Stops the HTTP client, aborting calls still running. */
    @Override
    public void close() {
        http.close();
    }
}
