package io.askpipe.router.backend.llama;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.askpipe.router.backend.Backend;
import io.askpipe.router.backend.BackendCall;
import io.askpipe.router.backend.BackendOutcome;
import io.askpipe.router.backend.http.UpstreamHttp;
import io.askpipe.schemas.Json;
import io.askpipe.schemas.Usage;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.util.Optional;

/**
 * An Ollama server: {@code POST {baseUrl}/api/chat} without streaming, the prompt as the one user
 * message, the answer from {@code message.content} and usage from {@code prompt_eval_count} and
 * {@code eval_count}. Failures are mapped as {@link UpstreamHttp} describes. Thread-safe; the only
 * state is the HTTP client.
 */
public final class LlamaBackend implements Backend, AutoCloseable {
    public static final String NAME = "llama";

    private final LlamaSettings settings;
    private final URI endpoint;
    private final UpstreamHttp http;

    public LlamaBackend(LlamaSettings settings) {
        this(settings, UpstreamHttp.DEFAULT_CONNECT_TIMEOUT);
    }

    /** @param connectTimeout how long to wait for a connection to the server */
    LlamaBackend(LlamaSettings settings, Duration connectTimeout) {
        this.settings = settings;
        this.endpoint = URI.create(settings.baseUrl() + "/api/chat");
        this.http = new UpstreamHttp(NAME, connectTimeout, null, Clock.systemUTC());
    }

    @Override
    public String name() {
        return NAME;
    }

    /** {@code GET {baseUrl}/api/tags}: the Ollama server answers. */
    @Override
    public Optional<String> ping() throws InterruptedException {
        return http.ping(URI.create(settings.baseUrl() + "/api/tags"), null);
    }

    @Override
    public BackendOutcome call(BackendCall call) throws InterruptedException {
        String model = call.model() == null || call.model().isBlank() ? settings.model() : call.model();
        ObjectNode body = Json.mapper().createObjectNode();
        body.put("model", model);
        body.putArray("messages").addObject().put("role", "user").put("content", call.prompt());
        body.put("stream", false);
        if (settings.maxTokens() != null || settings.temperature() != null) {
            ObjectNode options = body.putObject("options");
            if (settings.maxTokens() != null) {
                options.put("num_predict", settings.maxTokens());
            }
            if (settings.temperature() != null) {
                options.put("temperature", settings.temperature());
            }
        }
        return http.exchange(
                http.post(endpoint, body, call.requestId()).build(), response -> completed(response, model));
    }

    private static BackendOutcome.Completed completed(JsonNode response, String requestedModel)
            throws UpstreamHttp.MalformedAnswer {
        JsonNode content = response.path("message").path("content");
        if (!content.isTextual()) {
            throw new UpstreamHttp.MalformedAnswer("message.content");
        }
        // Ollama leaves prompt_eval_count out when the prompt was cached
        Usage usage = UpstreamHttp.usage(
                UpstreamHttp.tokens(response, "prompt_eval_count"), UpstreamHttp.tokens(response, "eval_count"));
        JsonNode model = response.path("model");
        return new BackendOutcome.Completed(
                model.isTextual() && !model.asText().isBlank() ? model.asText() : requestedModel,
                content.asText(),
                usage);
    }

    /** Stops the HTTP client, aborting calls still running. */
    @Override
    public void close() {
        http.close();
    }
}
