package io.askpipe.router;

import io.askpipe.common.Chaos;
import io.askpipe.common.Env;
import io.askpipe.router.spi.Backend;
import java.util.function.UnaryOperator;

/**
 * Builds the backend registry: {@code dryrun} always, {@code openai} and {@code llama} when their
 * settings are present, and otherwise registered as unavailable with what to set.
 */
final class Backends {
    private Backends() {}

    /** The registry; under chaos mode every available backend is wrapped in a {@link ChaosBackend}. */
    static BackendRegistry registry(BackendSettings settings, Chaos chaos) {
        Env env = settings.env();
        UnaryOperator<Backend> wrap =
                chaos.enabled() ? backend -> new ChaosBackend(backend, chaos) : backend -> backend;
        BackendRegistry.Builder registry = BackendRegistry.builder()
                .available(
                        wrap.apply(new DryrunBackend(settings.dryrunLatency())), settings.timeout(DryrunBackend.NAME));
        OpenAiSettings.fromEnv(env)
                .ifPresentOrElse(
                        openai -> registry.available(
                                wrap.apply(new OpenAiBackend(openai)), settings.timeout(OpenAiBackend.NAME)),
                        () -> registry.unavailable(OpenAiBackend.NAME, OpenAiSettings.NOT_CONFIGURED));
        LlamaSettings.fromEnv(env)
                .ifPresentOrElse(
                        llama -> registry.available(
                                wrap.apply(new LlamaBackend(llama)), settings.timeout(LlamaBackend.NAME)),
                        () -> registry.unavailable(LlamaBackend.NAME, LlamaSettings.NOT_CONFIGURED));
        return registry.build();
    }
}
