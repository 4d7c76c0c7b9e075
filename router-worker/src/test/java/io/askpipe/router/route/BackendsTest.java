package io.askpipe.router.route;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.askpipe.common.config.ConfigException;
import io.askpipe.common.config.Env;
import io.askpipe.router.backend.anthropic.AnthropicBackend;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class BackendsTest {

    private static BackendRegistry registry(List<String> names) {
        return Backends.registry(names, BackendSettings.fromEnv(Env.of(Map.of()), names));
    }

    @Test
    void buildsOnlyTheRegisteredBackends() {
        try (BackendRegistry registry = registry(List.of("openai", "llama"))) {
            assertThat(registry.names()).containsExactlyInAnyOrder("openai", "llama");
            assertThat(registry.lookup("dryrun")).isInstanceOf(BackendRegistry.Entry.Unavailable.class);
            assertThat(registry.lookup("openai"))
                    .as("registered without its settings")
                    .isInstanceOf(BackendRegistry.Entry.Unavailable.class);
        }
    }

    @Test
    void aRegisteredNameWithoutABackendFailsTheStartNamingTheVariable() {
        assertThatThrownBy(() -> registry(List.of("dryrun", "gemini")))
                .isInstanceOf(ConfigException.class)
                .hasMessage("ASKPIPE_BACKENDS names 'gemini', which this router has no backend for"
                        + " (it has dryrun, openai, llama, anthropic)");
    }

    @Test
    void anthropicIsUnavailableWithWhatToSetUntilItsKeyOrBaseUrlIsSet() {
        try (BackendRegistry registry = registry(List.of("anthropic"))) {
            assertThat(registry.lookup("anthropic"))
                    .isEqualTo(new BackendRegistry.Entry.Unavailable(
                            "anthropic is not configured: set ANTHROPIC_API_KEY or ANTHROPIC_BASE_URL"));
        }
        List<String> names = List.of("anthropic");
        Env env = Env.of(Map.of("ANTHROPIC_API_KEY", "sk-ant-test", "ANTHROPIC_TIMEOUT_MS", "45000"));
        try (BackendRegistry registry = Backends.registry(names, BackendSettings.fromEnv(env, names))) {
            assertThat(registry.lookup("anthropic"))
                    .isInstanceOfSatisfying(BackendRegistry.Entry.Available.class, available -> {
                        assertThat(available.backend()).isInstanceOf(AnthropicBackend.class);
                        assertThat(available.timeout()).isEqualTo(Duration.ofSeconds(45));
                    });
        }
    }
}
