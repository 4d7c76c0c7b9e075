package io.askpipe.router;

import io.askpipe.common.Env;

/**
 * Builds the backend registry: {@code dryrun} always, {@code openai} and {@code llama} when their
 * settings are present, and otherwise registered as unavailable with what to set.
 */
final class Backends {
    private Backends() {}

    static BackendRegistry registry(BackendSettings settings) {
        Env env = settings.env();
        BackendRegistry.Builder registry = BackendRegistry.builder()
                .available(new DryrunBackend(settings.dryrunLatency()), settings.timeout(DryrunBackend.NAME));
        OpenAiSettings.fromEnv(env)
                .ifPresentOrElse(
                        openai -> registry.available(new OpenAiBackend(openai), settings.timeout(OpenAiBackend.NAME)),
                        () -> registry.unavailable(OpenAiBackend.NAME, OpenAiSettings.NOT_CONFIGURED));
        LlamaSettings.fromEnv(env)
                .ifPresentOrElse(
                        llama -> registry.available(new LlamaBackend(llama), settings.timeout(LlamaBackend.NAME)),
                        () -> registry.unavailable(LlamaBackend.NAME, LlamaSettings.NOT_CONFIGURED));
        return registry.build();
    }
}
