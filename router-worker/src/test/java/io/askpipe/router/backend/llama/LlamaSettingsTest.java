package io.askpipe.router.backend.llama;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.askpipe.common.config.ConfigException;
import io.askpipe.common.config.Env;
import java.util.Map;
import org.junit.jupiter.api.Test;

class LlamaSettingsTest {

    @Test
    void notConfiguredWithoutABaseUrl() {
        Env env = Env.of(Map.of("LLAMA_MODEL", "llama3.1:8b"));

        assertThat(LlamaSettings.fromEnv(env)).isEmpty();
        assertThat(LlamaSettings.missingSettings(env)).contains("llama is not configured: set LLAMA_BASE_URL");
    }

    @Test
    void aBaseUrlConfiguresTheBackendWithDefaults() {
        Env env = Env.of(Map.of("LLAMA_BASE_URL", "http://localhost:11434/"));

        assertThat(LlamaSettings.missingSettings(env)).isEmpty();
        assertThat(LlamaSettings.fromEnv(env))
                .contains(new LlamaSettings("http://localhost:11434", "llama3.2", null, null));
    }

    @Test
    void readsEverySetting() {
        Env env = Env.of(Map.of(
                "LLAMA_BASE_URL", "https://ollama.internal:443/prefix",
                "LLAMA_MODEL", "qwen2.5:0.5b",
                "LLAMA_MAX_TOKENS", "128",
                "LLAMA_TEMPERATURE", "0"));

        assertThat(LlamaSettings.fromEnv(env))
                .contains(new LlamaSettings("https://ollama.internal:443/prefix", "qwen2.5:0.5b", 128, 0.0));
    }

    @Test
    void anInvalidBaseUrlNamesTheVariable() {
        assertThatThrownBy(() -> LlamaSettings.fromEnv(Env.of(Map.of("LLAMA_BASE_URL", "localhost:11434"))))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("LLAMA_BASE_URL");
    }

    @Test
    void anInvalidTemperatureNamesTheVariableEvenWhenNotConfigured() {
        assertThatThrownBy(() -> LlamaSettings.fromEnv(Env.of(Map.of("LLAMA_TEMPERATURE", "3"))))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("LLAMA_TEMPERATURE");
        assertThatThrownBy(() -> LlamaSettings.fromEnv(
                        Env.of(Map.of("LLAMA_BASE_URL", "http://h:11434", "LLAMA_MAX_TOKENS", "-1"))))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("LLAMA_MAX_TOKENS");
    }
}
