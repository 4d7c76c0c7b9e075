package io.askpipe.router.route;

import io.askpipe.common.config.Env;
import io.askpipe.common.config.Setting;
import io.askpipe.router.backend.anthropic.AnthropicBackend;
import io.askpipe.router.backend.anthropic.AnthropicSettings;
import io.askpipe.router.backend.llama.LlamaBackend;
import io.askpipe.router.backend.llama.LlamaSettings;
import io.askpipe.router.backend.openai.OpenAiBackend;
import io.askpipe.router.backend.openai.OpenAiSettings;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What the registered backends are built from, read when the worker's config is: the time limit
 * of one call to each, the dryrun backend's latency, and each provider's own settings, present
 * when that provider is registered and configured.
 *
 * @param defaultTimeout {@code LLM_TIMEOUT_MS}: the time limit of one backend call (default 30000)
 * @param timeouts each registered backend's time limit, {@code <BACKEND>_TIMEOUT_MS} (default
 *     {@code defaultTimeout})
 * @param dryrunLatency {@code DRYRUN_LATENCY_MS}: how long the dryrun backend takes (default 0)
 * @param openai the {@code openai} backend's settings, when it is registered and configured
 * @param llama the {@code llama} backend's settings, when it is registered and configured
 * @param anthropic the {@code anthropic} backend's settings, when it is registered and configured
 */
public record BackendSettings(
        Duration defaultTimeout,
        Map<String, Duration> timeouts,
        Duration dryrunLatency,
        Optional<OpenAiSettings> openai,
        Optional<LlamaSettings> llama,
        Optional<AnthropicSettings> anthropic) {
    public static final Setting<Duration> LLM_TIMEOUT = Setting.millis("LLM_TIMEOUT_MS", 1, 600_000)
            .defaultsTo("30000")
            .doc("time limit of one backend call; past it the call counts as a retriable `timeout`");
    /** {@code <BACKEND>_TIMEOUT_MS}, one per backend: {@code OPENAI_TIMEOUT_MS}, {@code ANTHROPIC_TIMEOUT_MS}, ... */
    public static final Setting<Duration> BACKEND_TIMEOUT = Setting.millis("<BACKEND>_TIMEOUT_MS", 1, 600_000)
            .derivedDefault("`LLM_TIMEOUT_MS`", env -> env.get(LLM_TIMEOUT))
            .doc("time limit of one call to that backend");

    public static final Setting<Duration> DRYRUN_LATENCY = Setting.millis("DRYRUN_LATENCY_MS", 0, 600_000)
            .defaultsTo("0")
            .doc("how long the `dryrun` backend takes to answer");

    public BackendSettings {
        timeouts = Map.copyOf(timeouts);
    }

    /**
     * The settings of the registered {@code backends}. A provider's settings are read only when it
     * is registered, and fail the start, naming the variable, when a value is invalid.
     */
    public static BackendSettings fromEnv(Env env, List<String> backends) {
        Map<String, Duration> timeouts = new LinkedHashMap<>();
        for (String backend : backends) {
            timeouts.put(backend, env.get(BACKEND_TIMEOUT.forKey(backend)));
        }
        return new BackendSettings(
                env.get(LLM_TIMEOUT),
                timeouts,
                env.get(DRYRUN_LATENCY),
                backends.contains(OpenAiBackend.NAME) ? OpenAiSettings.fromEnv(env) : Optional.empty(),
                backends.contains(LlamaBackend.NAME) ? LlamaSettings.fromEnv(env) : Optional.empty(),
                backends.contains(AnthropicBackend.NAME) ? AnthropicSettings.fromEnv(env) : Optional.empty());
    }

    /** The settings {@link #fromEnv} reads. */
    public static List<Setting<?>> settings() {
        return Setting.union(
                List.of(LLM_TIMEOUT, BACKEND_TIMEOUT, DRYRUN_LATENCY),
                OpenAiSettings.settings(),
                LlamaSettings.settings(),
                AnthropicSettings.settings());
    }

    /** The time limit of one call to {@code backend}: its own, else the default. */
    public Duration timeout(String backend) {
        return timeouts.getOrDefault(backend, defaultTimeout);
    }
}
