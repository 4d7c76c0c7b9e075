package io.askpipe.router.route;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.askpipe.common.config.ConfigException;
import io.askpipe.common.config.Env;
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
        assertThatThrownBy(() -> registry(List.of("dryrun", "anthropic")))
                .isInstanceOf(ConfigException.class)
                .hasMessage("ASKPIPE_BACKENDS names 'anthropic', which this router has no backend for"
                        + " (it has dryrun, openai, llama)");
    }
}
