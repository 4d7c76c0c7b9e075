package io.askpipe.router.backend.openai;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.askpipe.router.backend.Backend;
import io.askpipe.router.backend.BackendCall;
import io.askpipe.router.backend.BackendOutcome;
import io.askpipe.router.backend.http.UnsupportedField;
import io.askpipe.router.backend.http.UpstreamHttp;
import java.net.URI;
import java.net.http.HttpRequest;
import java.time.Clock;
import java.time.Duration;
import java.util.Optional;

/**
 * Any OpenAI-compatible Chat Completions API (OpenAI, vLLM, llama.cpp's server, LM Studio): {@code
 * POST {baseUrl}/v1/chat/completions} with the ask's whole chat body ({@link OpenAiRequest}), the
 * answer read from the {@code chat.completion} ({@link OpenAiAnswer}). Failures are mapped as {@link
 * UpstreamHttp} describes. Thread-safe; the only state is the HTTP client.
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
        ObjectNode body;
        try {
            body = OpenAiRequest.body(call.chat(), model, settings);
        } catch (UnsupportedField e) {
            return http.refused(e);
        }
        HttpRequest.Builder request = http.post(endpoint, body, call.requestId());
        if (settings.apiKey() != null) {
            request.header("Authorization", "Bearer " + settings.apiKey());
        }
        return http.exchange(request.build(), response -> OpenAiAnswer.read(response, model));
    }

    /** {@code GET {baseUrl}/v1/models}: the API answers and takes the key. */
    @Override
    public Optional<String> ping() throws InterruptedException {
        return http.ping(
                URI.create(settings.baseUrl() + "/v1/models"),
                settings.apiKey() == null ? null : "Bearer " + settings.apiKey());
    }

    /** Stops the HTTP client, aborting calls still running. */
    @Override
    public void close() {
        http.close();
    }
}
