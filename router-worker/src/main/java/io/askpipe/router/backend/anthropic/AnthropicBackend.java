package io.askpipe.router.backend.anthropic;

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
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * Anthropic's Messages API: {@code POST {baseUrl}/v1/messages} with the ask's chat request written
 * as {@link MessagesRequest} says, the {@code x-api-key} and {@code anthropic-version} headers, and
 * the reply read as {@link MessagesAnswer} says. A field Anthropic cannot honour fails the call at
 * once as an {@code invalid_request} that names it. Failures of the exchange are mapped as {@link
 * UpstreamHttp} describes: Anthropic's 429 is {@code rate_limited} and its 529 (overloaded) an
 * {@code upstream_error}, both retried after their {@code retry-after}; 401 and 403 are {@code
 * backend_auth_failed}; 400 is {@code invalid_request} with Anthropic's message. Thread-safe; the
 * only state is the HTTP client.
 */
public final class AnthropicBackend implements Backend, AutoCloseable {
    public static final String NAME = "anthropic";

    private final AnthropicSettings settings;
    private final URI endpoint;
    private final UpstreamHttp http;

    public AnthropicBackend(AnthropicSettings settings) {
        this(settings, UpstreamHttp.DEFAULT_CONNECT_TIMEOUT);
    }

    /** @param connectTimeout how long to wait for a connection to the API */
    AnthropicBackend(AnthropicSettings settings, Duration connectTimeout) {
        this.settings = settings;
        this.endpoint = URI.create(settings.baseUrl() + "/v1/messages");
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
            body = MessagesRequest.body(call, model, settings.maxTokens());
        } catch (UnsupportedField e) {
            return http.refused(e);
        }
        HttpRequest.Builder request = http.post(endpoint, body, call.requestId());
        headers().forEach(request::header);
        return http.exchange(request.build(), response -> MessagesAnswer.read(response, model));
    }

    /** {@code GET {baseUrl}/v1/models}: the API answers and takes the key. */
    @Override
    public Optional<String> ping() throws InterruptedException {
        return http.pingWith(URI.create(settings.baseUrl() + "/v1/models"), headers());
    }

    /** The API version, and the key if there is one. */
    private Map<String, String> headers() {
        Map<String, String> headers = new LinkedHashMap<>();
        headers.put("anthropic-version", settings.version());
        if (settings.apiKey() != null) {
            headers.put("x-api-key", settings.apiKey());
        }
        return headers;
    }

    /** Stops the HTTP client, aborting calls still running. */
    @Override
    public void close() {
        http.close();
    }
}
