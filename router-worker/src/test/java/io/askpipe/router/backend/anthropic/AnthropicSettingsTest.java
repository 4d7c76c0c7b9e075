package io.askpipe.router.backend.anthropic;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.askpipe.common.config.ConfigException;
import io.askpipe.common.config.Env;
import java.util.Map;
import org.junit.jupiter.api.Test;

class AnthropicSettingsTest {
    private static final String KEY = "sk-ant-api03-secret-0123456789";

    @Test
    void notConfiguredWithoutAKeyOrABaseUrl() {
        Env env = Env.of(Map.of("ANTHROPIC_MODEL", "claude-opus-5-5", "ANTHROPIC_API_KEY", "  "));

        assertThat(AnthropicSettings.fromEnv(env)).isEmpty();
        assertThat(AnthropicSettings.missingSettings(env))
                .contains("anthropic is not configured: set ANTHROPIC_API_KEY or ANTHROPIC_BASE_URL");
    }

    @Test
    void aKeyAloneConfiguresTheOfficialApiWithDefaults() {
        Env env = Env.of(Map.of("ANTHROPIC_API_KEY", KEY));

        assertThat(AnthropicSettings.missingSettings(env)).isEmpty();
        assertThat(AnthropicSettings.fromEnv(env))
                .contains(new AnthropicSettings(
                        "https://api.anthropic.com", KEY, "claude-haiku-5-5", 8192, "2023-06-01"));
    }

    @Test
    void aBaseUrlAloneConfiguresAServerThatNeedsNoKey() {
        Env env = Env.of(Map.of(
                "ANTHROPIC_BASE_URL", "http://localhost:8080/",
                "ANTHROPIC_MODEL", "claude-sonnet-5-5",
                "ANTHROPIC_MAX_TOKENS", "512",
                "ANTHROPIC_VERSION", "2026-10-21"));

        assertThat(AnthropicSettings.missingSettings(env)).isEmpty();
        assertThat(AnthropicSettings.fromEnv(env))
                .contains(new AnthropicSettings("http://localhost:8080", null, "claude-sonnet-5-5", 512, "2026-10-21"));
    }

    @Test
    void anInvalidBaseUrlNamesTheVariable() {
        for (String url : new String[] {"api.anthropic.com", "ftp://example.com", "http://", "https://h/x?y=1"}) {
            assertThatThrownBy(() -> AnthropicSettings.fromEnv(Env.of(Map.of("ANTHROPIC_BASE_URL", url))))
                    .as(url)
                    .isInstanceOf(ConfigException.class)
                    .hasMessageContaining("ANTHROPIC_BASE_URL");
        }
    }

    @Test
    void aBaseUrlWithCredentialsIsRefusedWithoutEchoingThem() {
        assertThatThrownBy(() -> AnthropicSettings.fromEnv(Env.of(Map.of("ANTHROPIC_BASE_URL", "https://u:hunter2@h"))))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("ANTHROPIC_BASE_URL")
                .hasMessageNotContaining("hunter2");
    }

    @Test
    void anInvalidMaxTokensNamesTheVariable() {
        for (String maxTokens : new String[] {"0", "many", "1.5", "1000001"}) {
            assertThatThrownBy(() -> AnthropicSettings.fromEnv(
                            Env.of(Map.of("ANTHROPIC_API_KEY", KEY, "ANTHROPIC_MAX_TOKENS", maxTokens))))
                    .as(maxTokens)
                    .isInstanceOf(ConfigException.class)
                    .hasMessageContaining("ANTHROPIC_MAX_TOKENS");
        }
    }

    @Test
    void anInvalidVersionNamesTheVariable() {
        for (String version : new String[] {"latest", "2023-6-1", "2023-06-01; x"}) {
            assertThatThrownBy(() -> AnthropicSettings.fromEnv(
                            Env.of(Map.of("ANTHROPIC_API_KEY", KEY, "ANTHROPIC_VERSION", version))))
                    .as(version)
                    .isInstanceOf(ConfigException.class)
                    .hasMessageStartingWith("ANTHROPIC_VERSION must be a Messages API version");
        }
    }

    @Test
    void aKeyWithSpacesIsRefusedWithoutEchoingIt() {
        assertThatThrownBy(() -> AnthropicSettings.fromEnv(Env.of(Map.of("ANTHROPIC_API_KEY", "sk-ant abc"))))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("ANTHROPIC_API_KEY")
                .hasMessageNotContaining("sk-ant");
    }

    @Test
    void toStringMasksTheKey() {
        AnthropicSettings settings =
                new AnthropicSettings("https://api.anthropic.com", KEY, "claude-haiku-5-5", 8192, "2023-06-01");

        assertThat(settings.toString())
                .doesNotContain(KEY)
                .contains("apiKey=****")
                .contains("https://api.anthropic.com")
                .contains("claude-haiku-5-5");
        assertThat(new AnthropicSettings("http://localhost:8080", null, "m", 1, "2023-06-01").toString())
                .contains("apiKey=(none)");
    }
}
