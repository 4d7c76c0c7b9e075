package io.askpipe.router.backend.openai;

import io.askpipe.common.config.ConfigException;
import io.askpipe.common.config.Env;
import io.askpipe.common.config.Setting;
import io.askpipe.router.backend.http.HttpBackendSettings;
import java.util.List;
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
 * @param maxTokens {@code OPENAI_MAX_TOKENS}: {@code max_tokens} of a request whose ask sets neither
 *     {@code max_tokens} nor {@code max_completion_tokens}, or {@code null} to leave it to the
 *     provider
 * @param temperature {@code OPENAI_TEMPERATURE}: {@code temperature} of a request whose ask sets
 *     none (0 to 2), or {@code null} to leave it to the provider
 */
public record OpenAiSettings(String baseUrl, String apiKey, String model, Integer maxTokens, Double temperature) {
    public static final Setting<String> BASE_URL = Setting.text("OPENAI_BASE_URL")
            .defaultsTo("https://api.openai.com")
            .doc("OpenAI-compatible API of the `openai` backend, without `/v1`; setting it configures the backend");
    public static final Setting<String> API_KEY = Setting.text("OPENAI_API_KEY")
            .secret()
            .doc("bearer token for the `openai` backend; setting it configures the backend");
    public static final Setting<String> MODEL =
            Setting.text("OPENAI_MODEL").defaultsTo("gpt-4o-mini").doc("model for asks to `openai` that name none");
    public static final Setting<Integer> MAX_TOKENS = Setting.integer(
                    "OPENAI_MAX_TOKENS", 1, HttpBackendSettings.MAX_TOKENS_LIMIT)
            .doc("`max_tokens` of `openai` requests whose ask sets neither `max_tokens` nor `max_completion_tokens`");
    public static final Setting<Double> TEMPERATURE = Setting.decimal(
                    "OPENAI_TEMPERATURE", 0, HttpBackendSettings.MAX_TEMPERATURE)
            .doc("`temperature` of `openai` requests whose ask sets none");
    public static final String NOT_CONFIGURED = "openai is not configured: set OPENAI_API_KEY or OPENAI_BASE_URL";

    public OpenAiSettings {
        baseUrl = HttpBackendSettings.baseUrl(BASE_URL.name(), baseUrl);
        if (apiKey != null && (apiKey.isBlank() || !apiKey.chars().allMatch(c -> c > 0x20 && c < 0x7f))) {
            // never echo the value: it is a secret
            throw new ConfigException(API_KEY.name() + " must be printable ASCII without spaces");
        }
        model = HttpBackendSettings.model(MODEL.name(), model);
        maxTokens = HttpBackendSettings.maxTokens(MAX_TOKENS.name(), maxTokens);
        temperature = HttpBackendSettings.temperature(TEMPERATURE.name(), temperature);
    }

    /**
     * The settings, or empty when the backend is not configured (neither {@code OPENAI_API_KEY} nor
     * {@code OPENAI_BASE_URL} is set).
     *
     * @throws ConfigException if a variable that is set is invalid, configured or not
     */
    public static Optional<OpenAiSettings> fromEnv(Env env) {
        OpenAiSettings settings = new OpenAiSettings(
                env.get(BASE_URL),
                env.find(API_KEY).orElse(null),
                env.get(MODEL),
                env.find(MAX_TOKENS).orElse(null),
                env.find(TEMPERATURE).orElse(null));
        return missingSettings(env).isPresent() ? Optional.empty() : Optional.of(settings);
    }

    /** The settings {@link #fromEnv} reads. */
    public static List<Setting<?>> settings() {
        return List.of(BASE_URL, API_KEY, MODEL, MAX_TOKENS, TEMPERATURE);
    }

    /**
     * Why the backend is not configured, for a human ({@value #NOT_CONFIGURED}), or empty when it
     * is. Looks only at whether the variables are set, not at whether they are valid.
     */
    static Optional<String> missingSettings(Env env) {
        boolean configured = env.isSet(API_KEY) || env.isSet(BASE_URL);
        return configured ? Optional.empty() : Optional.of(NOT_CONFIGURED);
    }

    @Override
    public String toString() {
        return "OpenAiSettings[baseUrl=" + baseUrl + ", apiKey=" + (apiKey == null ? "(none)" : "****") + ", model="
                + model + ", maxTokens=" + maxTokens + ", temperature=" + temperature + "]";
    }
}
