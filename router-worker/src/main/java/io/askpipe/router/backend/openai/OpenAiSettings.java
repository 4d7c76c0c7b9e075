package io.askpipe.router.backend.openai;

import io.askpipe.common.config.ConfigException;
import io.askpipe.common.config.Env;
import io.askpipe.router.backend.http.HttpBackendSettings;
import java.util.Optional;

/**
 * How the {@code openai} backend reaches an OpenAI-compatible Chat Completions API.
 *
 * <p>The backend is <em>configured</em> when {@code OPENAI_API_KEY} is set or {@code
 * OPENAI_BASE_URL} is set explicitly (local OpenAI-compatible servers often need no key). Ask
 * {@link #fromEnv(Env)} for the settings of a configured backend, and {@link #missingSettings(Env)}
 * why a backend is not configured:
 *
 * <pre>{@code
 * Optional<OpenAiSettings> settings = OpenAiSettings.fromEnv(env); // throws if a value is invalid
 * if (settings.isEmpty()) {
 *     String reason = OpenAiSettings.missingSettings(env).orElseThrow();
 * }
 * }</pre>
 *
 * @param baseUrl {@code OPENAI_BASE_URL}: scheme, host, port and any path prefix, without {@code
 *     /v1} and without a trailing slash (default https://api.openai.com)
 * @param apiKey {@code OPENAI_API_KEY}, sent as a bearer token, or {@code null} to send none;
 *     masked in {@link #toString()}
 * @param model {@code OPENAI_MODEL}: the model for asks that name none (default gpt-4o-mini)
 * @param maxTokens {@code OPENAI_MAX_TOKENS}: {@code max_tokens} of every request, or {@code null}
 *     to leave it to the provider
 * @param temperature {@code OPENAI_TEMPERATURE}: {@code temperature} of every request (0 to 2), or
 *     {@code null} to leave it to the provider
 */
public record OpenAiSettings(String baseUrl, String apiKey, String model, Integer maxTokens, Double temperature) {
    static final String BASE_URL = "OPENAI_BASE_URL";
    static final String API_KEY = "OPENAI_API_KEY";
    static final String MODEL = "OPENAI_MODEL";
    static final String MAX_TOKENS = "OPENAI_MAX_TOKENS";
    static final String TEMPERATURE = "OPENAI_TEMPERATURE";

    static final String DEFAULT_BASE_URL = "https://api.openai.com";
    static final String DEFAULT_MODEL = "gpt-4o-mini";
    public static final String NOT_CONFIGURED = "openai is not configured: set OPENAI_API_KEY or OPENAI_BASE_URL";

    public OpenAiSettings {
        baseUrl = HttpBackendSettings.baseUrl(BASE_URL, baseUrl);
        if (apiKey != null && (apiKey.isBlank() || !apiKey.chars().allMatch(c -> c > 0x20 && c < 0x7f))) {
            // never echo the value: it is a secret
            throw new ConfigException(API_KEY + " must be printable ASCII without spaces");
        }
        model = HttpBackendSettings.model(MODEL, model);
        maxTokens = HttpBackendSettings.maxTokens(MAX_TOKENS, maxTokens);
        temperature = HttpBackendSettings.temperature(TEMPERATURE, temperature);
    }

    /**
     * The settings, or empty when the backend is not configured (neither {@code OPENAI_API_KEY} nor
     * {@code OPENAI_BASE_URL} is set).
     *
     * @throws ConfigException if a variable that is set is invalid, configured or not
     */
    public static Optional<OpenAiSettings> fromEnv(Env env) {
        OpenAiSettings settings = new OpenAiSettings(
                env.string(BASE_URL, DEFAULT_BASE_URL),
                env.optional(API_KEY).orElse(null),
                env.string(MODEL, DEFAULT_MODEL),
                HttpBackendSettings.optionalInt(env, MAX_TOKENS),
                HttpBackendSettings.optionalDouble(env, TEMPERATURE));
        return missingSettings(env).isPresent() ? Optional.empty() : Optional.of(settings);
    }

    /**
     * Why the backend is not configured, for a human ({@value #NOT_CONFIGURED}), or empty when it
     * is. Looks only at whether the variables are set, not at whether they are valid.
     */
    static Optional<String> missingSettings(Env env) {
        boolean configured =
                env.optional(API_KEY).isPresent() || env.optional(BASE_URL).isPresent();
        return configured ? Optional.empty() : Optional.of(NOT_CONFIGURED);
    }

    @Override
    public String toString() {
        return "OpenAiSettings[baseUrl=" + baseUrl + ", apiKey=" + (apiKey == null ? "(none)" : "****") + ", model="
                + model + ", maxTokens=" + maxTokens + ", temperature=" + temperature + "]";
    }
}
