package io.askpipe.router.route;

import io.askpipe.common.config.ConfigException;
import io.askpipe.router.backend.anthropic.AnthropicBackend;
import io.askpipe.router.backend.anthropic.AnthropicSettings;
import io.askpipe.router.backend.dryrun.DryrunBackend;
import io.askpipe.router.backend.llama.LlamaBackend;
import io.askpipe.router.backend.llama.LlamaSettings;
import io.askpipe.router.backend.openai.OpenAiBackend;
import io.askpipe.router.backend.openai.OpenAiSettings;
import java.util.List;

/**
 * Builds the backend registry from the registered names ({@code ASKPIPE_BACKENDS}) and their
 * {@link BackendSettings}: {@code dryrun} always, {@code openai}, {@code llama} and {@code anthropic} when their
 * settings are present and otherwise as unavailable with what to set. A registered name this router has no backend for fails the start;
 * a backend that is not registered is not built.
 */
public final class Backends {
    /** The names this router has a backend for. */
    static final List<String> IMPLEMENTED =
            List.of(DryrunBackend.NAME, OpenAiBackend.NAME, LlamaBackend.NAME, AnthropicBackend.NAME);

    private Backends() {}

    /** The registry of {@code names}. */
    public static BackendRegistry registry(List<String> names, BackendSettings settings) {
        for (String name : names) {
            if (!IMPLEMENTED.contains(name)) {
                throw new ConfigException("ASKPIPE_BACKENDS names '" + name
                        + "', which this router has no backend for (it has " + String.join(", ", IMPLEMENTED) + ")");
            }
        }
        BackendRegistry.Builder registry = BackendRegistry.builder();
        for (String name : names) {
            switch (name) {
                case DryrunBackend.NAME ->
                    registry.available(
                            new DryrunBackend(settings.dryrunLatency()), settings.timeout(DryrunBackend.NAME));
                case OpenAiBackend.NAME ->
                    settings.openai()
                            .ifPresentOrElse(
                                    openai -> registry.available(
                                            new OpenAiBackend(openai), settings.timeout(OpenAiBackend.NAME)),
                                    () -> registry.unavailable(OpenAiBackend.NAME, OpenAiSettings.NOT_CONFIGURED));
                case LlamaBackend.NAME ->
                    settings.llama()
                            .ifPresentOrElse(
                                    llama -> registry.available(
                                            new LlamaBackend(llama), settings.timeout(LlamaBackend.NAME)),
                                    () -> registry.unavailable(LlamaBackend.NAME, LlamaSettings.NOT_CONFIGURED));
                case AnthropicBackend.NAME ->
                    settings.anthropic()
                            .ifPresentOrElse(
                                    anthropic -> registry.available(
                                            new AnthropicBackend(anthropic), settings.timeout(AnthropicBackend.NAME)),
                                    () -> registry.unavailable(
                                            AnthropicBackend.NAME, AnthropicSettings.NOT_CONFIGURED));
                default -> throw new IllegalStateException("checked above: " + name);
            }
        }
        return registry.build();
    }
}
