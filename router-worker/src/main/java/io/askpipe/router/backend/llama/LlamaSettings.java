package io.askpipe.router.backend.llama;

import io.askpipe.common.config.ConfigException;
import io.askpipe.common.config.Env;
import io.askpipe.common.config.Setting;
import io.askpipe.router.backend.http.HttpBackendSettings;
import java.util.List;
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
 * @param maxTokens {@code LLAMA_MAX_TOKENS}: {@code options.num_predict} of a request whose ask sets
 *     neither {@code max_tokens} nor {@code max_completion_tokens}, or {@code null} to leave it to
 *     the server
 * @param temperature {@code LLAMA_TEMPERATURE}: {@code options.temperature} of a request whose ask
 *     sets none (0 to 2), or {@code null} to leave it to the model
 */
public record LlamaSettings(String baseUrl, String model, Integer maxTokens, Double temperature) {
    public static final Setting<String> BASE_URL = Setting.text("LLAMA_BASE_URL")
            .doc(
                    "Ollama server of the `llama` backend, e.g. `http://localhost:11434`; setting it configures the backend");
    public static final Setting<String> MODEL =
            Setting.text("LLAMA_MODEL").defaultsTo("llama3.2").doc("model for asks to `llama` that name none");
    public static final Setting<Integer> MAX_TOKENS = Setting.integer(
                    "LLAMA_MAX_TOKENS", 1, HttpBackendSettings.MAX_TOKENS_LIMIT)
            .doc(
                    "`options.num_predict` of `llama` requests whose ask sets neither `max_tokens` nor `max_completion_tokens`");
    public static final Setting<Double> TEMPERATURE = Setting.decimal(
                    "LLAMA_TEMPERATURE", 0, HttpBackendSettings.MAX_TEMPERATURE)
            .doc("`options.temperature` of `llama` requests whose ask sets none");
    public static final String NOT_CONFIGURED = "llama is not configured: set LLAMA_BASE_URL";

    public LlamaSettings {
        baseUrl = HttpBackendSettings.baseUrl(BASE_URL.name(), baseUrl);
        model = HttpBackendSettings.model(MODEL.name(), model);
        maxTokens = HttpBackendSettings.maxTokens(MAX_TOKENS.name(), maxTokens);
        temperature = HttpBackendSettings.temperature(TEMPERATURE.name(), temperature);
    }

    /**
     * The settings, or empty when the backend is not configured ({@code LLAMA_BASE_URL} is not
     * set).
     *
     * @throws ConfigException if a variable that is set is invalid, configured or not
     */
    public static Optional<LlamaSettings> fromEnv(Env env) {
        Integer maxTokens = env.find(MAX_TOKENS).orElse(null);
        Double temperature = env.find(TEMPERATURE).orElse(null);
        return env.find(BASE_URL).map(baseUrl -> new LlamaSettings(baseUrl, env.get(MODEL), maxTokens, temperature));
    }

    /** The settings {@link #fromEnv} reads. */
    public static List<Setting<?>> settings() {
        return List.of(BASE_URL, MODEL, MAX_TOKENS, TEMPERATURE);
    }

    /**
     * Why the backend is not configured, for a human ({@value #NOT_CONFIGURED}), or empty when it
     * is. Looks only at whether the variables are set, not at whether they are valid.
     */
    static Optional<String> missingSettings(Env env) {
        return env.isSet(BASE_URL) ? Optional.empty() : Optional.of(NOT_CONFIGURED);
    }
}
