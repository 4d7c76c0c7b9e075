package io.askpipe.router.backend.llama;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.askpipe.router.backend.Backend;
import io.askpipe.router.backend.BackendCall;
import io.askpipe.router.backend.BackendOutcome;
import io.askpipe.router.backend.http.UnsupportedField;
import io.askpipe.router.backend.http.UpstreamHttp;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.util.Optional;

/**
 * An Ollama server: {@code POST {baseUrl}/api/chat} without streaming, the ask mapped to Ollama's
 * wire format ({@link LlamaRequest}, which refuses what Ollama cannot honour) and the answer read
 * back ({@link LlamaAnswer}). Failures are mapped as {@link UpstreamHttp} describes. Thread-safe;
 * the only state is the HTTP client.
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
        ObjectNode body;
        try {
            body = LlamaRequest.body(call, model, settings);
        } catch (UnsupportedField e) {
            return http.refused(e);
        }
        return http.exchange(
                http.post(endpoint, body, call.requestId()).build(),
                response -> LlamaAnswer.read(response, model, call.requestId()));
    }

    /** Stops the HTTP client, aborting calls still running. */
    @Override
    public void close() {
        http.close();
    }
}
