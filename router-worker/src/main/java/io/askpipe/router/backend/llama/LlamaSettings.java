package io.askpipe.router.backend.llama;

import io.askpipe.common.config.ConfigException;
import io.askpipe.common.config.Env;
import io.askpipe.router.backend.http.HttpBackendSettings;
import java.util.Optional;

/**
 * How the {@code llama} backend reaches an Ollama server.
 *
 * <p>The backend is <em>configured</em> when {@code LLAMA_BASE_URL} is set; there is no default.
 * Ask {@link #fromEnv(Env)} for the settings of a configured backend, and {@link
 * #missingSettings(Env)} why a backend is not configured.
 *
 * @param baseUrl {@code LLAMA_BASE_URL}: the Ollama server, e.g. http://localhost:11434, without a
 *     trailing slash; required
 * @param model {@code LLAMA_MODEL}: the model for asks that name none (default llama3.2)
 * @param maxTokens {@code LLAMA_MAX_TOKENS}: {@code options.num_predict} of every request, or
 *     {@code null} to leave it to the server
 * @param temperature {@code LLAMA_TEMPERATURE}: {@code options.temperature} of every request (0 to
 *     2), or {@code null} to leave it to the model
 */
public record LlamaSettings(String baseUrl, String model, Integer maxTokens, Double temperature) {
    static final String BASE_URL = "LLAMA_BASE_URL";
    static final String MODEL = "LLAMA_MODEL";
    static final String MAX_TOKENS = "LLAMA_MAX_TOKENS";
    static final String TEMPERATURE = "LLAMA_TEMPERATURE";

    static final String DEFAULT_MODEL = "llama3.2";
    public static final String NOT_CONFIGURED = "llama is not configured: set LLAMA_BASE_URL";

    public LlamaSettings {
        baseUrl = HttpBackendSettings.baseUrl(BASE_URL, baseUrl);
        model = HttpBackendSettings.model(MODEL, model);
        maxTokens = HttpBackendSettings.maxTokens(MAX_TOKENS, maxTokens);
        temperature = HttpBackendSettings.temperature(TEMPERATURE, temperature);
    }

    /**
     * The settings, or empty when the backend is not configured ({@code LLAMA_BASE_URL} is not
     * set).
     *
     * @throws ConfigException if a variable that is set is invalid, configured or not
     */
    public static Optional<LlamaSettings> fromEnv(Env env) {
        Integer maxTokens = HttpBackendSettings.maxTokens(MAX_TOKENS, HttpBackendSettings.optionalInt(env, MAX_TOKENS));
        Double temperature =
                HttpBackendSettings.temperature(TEMPERATURE, HttpBackendSettings.optionalDouble(env, TEMPERATURE));
        return env.optional(BASE_URL)
                .map(baseUrl -> new LlamaSettings(baseUrl, env.string(MODEL, DEFAULT_MODEL), maxTokens, temperature));
    }

    /**
     * Why the backend is not configured, for a human ({@value #NOT_CONFIGURED}), or empty when it
     * is. Looks only at whether the variables are set, not at whether they are valid.
     */
    static Optional<String> missingSettings(Env env) {
        return env.optional(BASE_URL).isPresent() ? Optional.empty() : Optional.of(NOT_CONFIGURED);
    }
}
