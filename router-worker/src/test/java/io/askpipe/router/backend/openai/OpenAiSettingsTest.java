package io.askpipe.router.backend.openai;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.askpipe.common.config.ConfigException;
import io.askpipe.common.config.Env;
import java.util.Map;
import org.junit.jupiter.api.Test;

class OpenAiSettingsTest {
    private static final String KEY = "sk-proj-secret-0123456789";

    @Test
    void notConfiguredWithoutAKeyOrABaseUrl() {
        Env env = Env.of(Map.of("OPENAI_MODEL", "gpt-4o", "OPENAI_API_KEY", "  "));

        assertThat(OpenAiSettings.fromEnv(env)).isEmpty();
        assertThat(OpenAiSettings.missingSettings(env))
                .contains("openai is not configured: set OPENAI_API_KEY or OPENAI_BASE_URL");
    }

    @Test
    void aKeyAloneConfiguresTheOfficialApiWithDefaults() {
        Env env = Env.of(Map.of("OPENAI_API_KEY", KEY));

        assertThat(OpenAiSettings.missingSettings(env)).isEmpty();
        assertThat(OpenAiSettings.fromEnv(env))
                .contains(new OpenAiSettings("https://api.openai.com", KEY, "gpt-4o-mini", null, null));
    }

    @Test
    void aBaseUrlAloneConfiguresAServerThatNeedsNoKey() {
        Env env = Env.of(Map.of(
                "OPENAI_BASE_URL", "http://localhost:8000/",
                "OPENAI_MODEL", "Qwen/Qwen2.5-7B-Instruct",
                "OPENAI_MAX_TOKENS", "512",
                "OPENAI_TEMPERATURE", "0.3"));

        assertThat(OpenAiSettings.missingSettings(env)).isEmpty();
        assertThat(OpenAiSettings.fromEnv(env))
                .contains(new OpenAiSettings("http://localhost:8000", null, "Qwen/Qwen2.5-7B-Instruct", 512, 0.3));
    }

    @Test
    void anInvalidBaseUrlNamesTheVariable() {
        for (String url : new String[] {"api.openai.com", "ftp://example.com", "http://", "https://h/x?y=1"}) {
            assertThatThrownBy(() -> OpenAiSettings.fromEnv(Env.of(Map.of("OPENAI_BASE_URL", url))))
                    .as(url)
                    .isInstanceOf(ConfigException.class)
                    .hasMessageContaining("OPENAI_BASE_URL");
        }
    }

    @Test
    void aBaseUrlWithCredentialsIsRefusedWithoutEchoingThem() {
        assertThatThrownBy(() -> OpenAiSettings.fromEnv(Env.of(Map.of("OPENAI_BASE_URL", "https://u:hunter2@h"))))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("OPENAI_BASE_URL")
                .hasMessageNotContaining("hunter2");
    }

    @Test
    void anInvalidTemperatureNamesTheVariable() {
        for (String temperature : new String[] {"2.5", "-0.1", "warm", "NaN"}) {
            assertThatThrownBy(() -> OpenAiSettings.fromEnv(
                            Env.of(Map.of("OPENAI_API_KEY", KEY, "OPENAI_TEMPERATURE", temperature))))
                    .as(temperature)
                    .isInstanceOf(ConfigException.class)
                    .hasMessageContaining("OPENAI_TEMPERATURE");
        }
    }

    @Test
    void anInvalidMaxTokensNamesTheVariable() {
        for (String maxTokens : new String[] {"0", "many", "1.5"}) {
            assertThatThrownBy(() -> OpenAiSettings.fromEnv(
                            Env.of(Map.of("OPENAI_API_KEY", KEY, "OPENAI_MAX_TOKENS", maxTokens))))
                    .as(maxTokens)
                    .isInstanceOf(ConfigException.class)
                    .hasMessageContaining("OPENAI_MAX_TOKENS");
        }
    }

    @Test
    void aKeyWithSpacesIsRefusedWithoutEchoingIt() {
        assertThatThrownBy(() -> OpenAiSettings.fromEnv(Env.of(Map.of("OPENAI_API_KEY", "sk-abc def"))))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("OPENAI_API_KEY")
                .hasMessageNotContaining("sk-abc");
    }

    @Test
    void toStringMasksTheKey() {
        OpenAiSettings settings = new OpenAiSettings("https://api.openai.com", KEY, "gpt-4o-mini", 100, 1.0);

        assertThat(settings.toString())
                .doesNotContain(KEY)
                .contains("apiKey=****")
                .contains("https://api.openai.com")
                .contains("gpt-4o-mini");
        assertThat(new OpenAiSettings("http://localhost:8000", null, "m", null, null).toString())
                .contains("apiKey=(none)");
    }
}
