package io.askpipe.router.route;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.askpipe.common.config.ConfigException;
import io.askpipe.common.config.Env;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class BackendSettingsTest {

    @Test
    void eachRegisteredBackendHasItsOwnTimeoutOrTheDefault() {
        BackendSettings settings = BackendSettings.fromEnv(
                Env.of(Map.of("LLM_TIMEOUT_MS", "1000", "OPENAI_TIMEOUT_MS", "2500", "LLAMA_TIMEOUT_MS", "7")),
                List.of("dryrun", "openai"));

        assertThat(settings.timeouts())
                .containsExactlyInAnyOrderEntriesOf(
                        Map.of("dryrun", Duration.ofSeconds(1), "openai", Duration.ofMillis(2500)));
        assertThat(settings.timeout("openai")).isEqualTo(Duration.ofMillis(2500));
        assertThat(settings.timeout("dryrun")).isEqualTo(Duration.ofSeconds(1));
    }

    @Test
    void anInvalidTimeoutOfARegisteredBackendNamesItsVariable() {
        assertThatThrownBy(() -> BackendSettings.fromEnv(Env.of(Map.of("LLAMA_TIMEOUT_MS", "0")), List.of("llama")))
                .isInstanceOf(ConfigException.class)
                .hasMessage("LLAMA_TIMEOUT_MS must be between 1 and 600000, got 0");
    }

    @Test
    void aProviderIsReadOnlyWhenRegistered() {
        Env env = Env.of(Map.of(
                "OPENAI_BASE_URL",
                "not a url",
                "LLAMA_BASE_URL",
                "http://localhost:11434",
                "ANTHROPIC_API_KEY",
                "sk-ant-test"));

        BackendSettings dryrunOnly = BackendSettings.fromEnv(env, List.of("dryrun"));
        assertThat(dryrunOnly.openai()).isEmpty();
        assertThat(dryrunOnly.llama()).isEmpty();
        assertThat(dryrunOnly.anthropic()).isEmpty();
        assertThat(BackendSettings.fromEnv(env, List.of("anthropic")).anthropic())
                .get()
                .extracting(anthropic -> anthropic.baseUrl())
                .isEqualTo("https://api.anthropic.com");

        assertThat(BackendSettings.fromEnv(env, List.of("llama")).llama())
                .get()
                .extracting(llama -> llama.baseUrl())
                .isEqualTo("http://localhost:11434");
        assertThatThrownBy(() -> BackendSettings.fromEnv(env, List.of("openai")))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("OPENAI_BASE_URL");
    }

    @Test
    void aRegisteredProviderWithoutItsSettingsIsAbsent() {
        BackendSettings settings = BackendSettings.fromEnv(Env.of(Map.of()), List.of("openai", "llama", "anthropic"));

        assertThat(settings.openai()).isEmpty();
        assertThat(settings.llama()).isEmpty();
        assertThat(settings.anthropic()).isEmpty();
    }
}
