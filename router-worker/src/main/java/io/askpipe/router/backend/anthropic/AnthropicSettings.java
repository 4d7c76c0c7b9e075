package io.askpipe.router.backend.anthropic;

import io.askpipe.common.config.ConfigException;
import io.askpipe.common.config.Env;
import io.askpipe.common.config.Setting;
import io.askpipe.router.backend.http.HttpBackendSettings;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * How the {@code anthropic} backend reaches Anthropic's Messages API, or a server that speaks it.
 *
 * <p>The backend is <em>configured</em> when {@code ANTHROPIC_API_KEY} is set or {@code
 * ANTHROPIC_BASE_URL} is set explicitly (a local server that speaks the Messages API may need no
 * key). Ask {@link #fromEnv(Env)} for the settings of a configured backend, and {@link
 * #missingSettings(Env)} why a backend is not configured.
 *
 * @param baseUrl {@code ANTHROPIC_BASE_URL}: scheme, host, port and any path prefix, without {@code
 *     /v1} and without a trailing slash (default https://api.anthropic.com)
 * @param apiKey {@code ANTHROPIC_API_KEY}, sent as {@code x-api-key}, or {@code null} to send none;
 *     masked in {@link #toString()}
 * @param model {@code ANTHROPIC_MODEL}: the model for asks that name none (default {@value
 *     #DEFAULT_MODEL})
 * @param maxTokens {@code ANTHROPIC_MAX_TOKENS}: the {@code max_tokens} of a request whose ask sets
 *     neither {@code max_tokens} nor {@code max_completion_tokens}, since Anthropic requires one
 *     (default {@value #DEFAULT_MAX_TOKENS})
 * @param version {@code ANTHROPIC_VERSION}: the {@code anthropic-version} header, the version of the
 *     Messages API whose wire format the backend writes (default {@value #DEFAULT_VERSION})
 */
public record AnthropicSettings(String baseUrl, String apiKey, String model, int maxTokens, String version) {
    /** Fast and cheap: the counterpart of the {@code openai} backend's default. */
    public static final String DEFAULT_MODEL = "claude-haiku-5-5";

    /**
     * A ceiling, not what an answer costs: room for a model that thinks before it answers, whose
     * thinking counts against {@code max_tokens}, within every current model's output limit.
     */
    public static final String DEFAULT_MAX_TOKENS = "8192";

    /**
     * The Messages API version whose wire format the backend writes: every Anthropic-speaking
     * server takes it, and it still carries {@code temperature} and {@code top_p} to the models that
     * accept them (version 2026-10-21 refuses both for every model).
     */
    public static final String DEFAULT_VERSION = "2023-06-01";

    private static final Pattern VERSION = Pattern.compile("\\d{4}-\\d{2}-\\d{2}");

    public static final Setting<String> BASE_URL = Setting.text("ANTHROPIC_BASE_URL")
            .defaultsTo("https://api.anthropic.com")
            .doc("Messages API of the `anthropic` backend, without `/v1`; setting it configures the backend");
    public static final Setting<String> API_KEY = Setting.text("ANTHROPIC_API_KEY")
            .secret()
            .doc("`x-api-key` of the `anthropic` backend; setting it configures the backend");
    public static final Setting<String> MODEL = Setting.text("ANTHROPIC_MODEL")
            .defaultsTo(DEFAULT_MODEL)
            .doc("model for asks to `anthropic` that name none");
    public static final Setting<Integer> MAX_TOKENS = Setting.integer(
                    "ANTHROPIC_MAX_TOKENS", 1, HttpBackendSettings.MAX_TOKENS_LIMIT)
            .defaultsTo(DEFAULT_MAX_TOKENS)
            .doc(
                    "`max_tokens` of `anthropic` requests whose ask sets neither `max_tokens` nor `max_completion_tokens`");
    public static final Setting<String> VERSION_HEADER = Setting.text("ANTHROPIC_VERSION")
            .defaultsTo(DEFAULT_VERSION)
            .doc("`anthropic-version` header of every `anthropic` request");
    public static final String NOT_CONFIGURED =
            "anthropic is not configured: set ANTHROPIC_API_KEY or ANTHROPIC_BASE_URL";

    public AnthropicSettings {
        baseUrl = HttpBackendSettings.baseUrl(BASE_URL.name(), baseUrl);
        apiKey = HttpBackendSettings.apiKey(API_KEY.name(), apiKey);
        model = HttpBackendSettings.model(MODEL.name(), model);
        HttpBackendSettings.maxTokens(MAX_TOKENS.name(), maxTokens);
        if (version == null || !VERSION.matcher(version.strip()).matches()) {
            throw new ConfigException(VERSION_HEADER.name() + " must be a Messages API version such as "
                    + DEFAULT_VERSION + ", got '" + version + "'");
        }
        version = version.strip();
    }

    /**
     * The settings, or empty when the backend is not configured (neither {@code ANTHROPIC_API_KEY}
     * nor {@code ANTHROPIC_BASE_URL} is set).
     *
     * @throws ConfigException if a variable that is set is invalid, configured or not
     */
    public static Optional<AnthropicSettings> fromEnv(Env env) {
        AnthropicSettings settings = new AnthropicSettings(
                env.get(BASE_URL),
                env.find(API_KEY).orElse(null),
                env.get(MODEL),
                env.get(MAX_TOKENS),
                env.get(VERSION_HEADER));
        return missingSettings(env).isPresent() ? Optional.empty() : Optional.of(settings);
    }

    /** The settings {@link #fromEnv} reads. */
    public static List<Setting<?>> settings() {
        return List.of(BASE_URL, API_KEY, MODEL, MAX_TOKENS, VERSION_HEADER);
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
        return "AnthropicSettings[baseUrl=" + baseUrl + ", apiKey=" + (apiKey == null ? "(none)" : "****") + ", model="
                + model + ", maxTokens=" + maxTokens + ", version=" + version + "]";
    }
}
