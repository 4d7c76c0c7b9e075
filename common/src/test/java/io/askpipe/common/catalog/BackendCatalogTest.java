package io.askpipe.common.catalog;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.askpipe.common.config.ConfigException;
import io.askpipe.common.config.Env;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class BackendCatalogTest {
    private static BackendCatalog catalog(Map<String, String> env) {
        return BackendCatalog.fromEnv(Env.of(env));
    }

    @Test
    void registersTheBuiltInBackendsAndRoutesByDefault() {
        BackendCatalog catalog = catalog(Map.of());
        assertThat(catalog.backends()).containsExactly("dryrun", "openai", "llama", "anthropic");
        assertThat(catalog.defaultBackend()).isEqualTo("dryrun");
        assertThat(catalog.modelRoutes()).hasSize(13);
        assertThat(catalog.routeOf("claude-sonnet-5-5")).contains("anthropic");
        assertThat(catalog.routeOf("Claude-Haiku-5-5")).contains("anthropic");
        assertThat(catalog.fallbacks()).isEmpty();
    }

    @Test
    void permitsAnyModelInDevAndCiButNoneInProdUnlessListed() {
        assertThat(catalog(Map.of("ASKPIPE_PROFILE", "dev")).permits("gpt-4.5-preview"))
                .isTrue();
        assertThat(catalog(Map.of("CI", "true")).permits("anything:at-all")).isTrue();
        assertThat(catalog(Map.of()).permits("gpt-4o-mini")).as("prod").isFalse();
        assertThat(catalog(Map.of()).refusal(null, null))
                .as("no model named: the default")
                .isEmpty();
        assertThat(catalog(Map.of("ASKPIPE_PROFILE", "prod")).refusal("openai", "gpt-4o-mini"))
                .hasValueSatisfying(refusal -> {
                    assertThat(refusal.kind()).isEqualTo(BackendCatalog.RefusalKind.MODEL_NOT_PERMITTED);
                    assertThat(refusal.pointer()).isEqualTo("/model");
                    assertThat(refusal.detail()).contains("leave model out");
                });
        assertThat(catalog(Map.of("ASKPIPE_PROFILE", "dev", "ASKPIPE_MODELS", "gpt-4o-mini"))
                        .permits("gpt-4o"))
                .as("a list replaces the permissive default")
                .isFalse();
    }

    @ParameterizedTest
    @CsvSource({
        "gpt-4o-mini, gpt-4o-mini, true",
        "gpt-4o-mini, GPT-4o-Mini, true",
        "gpt-4o-mini, gpt-4o-mini-2024, false",
        "gpt-4o*, gpt-4o-2024-08-06, true",
        "gpt-4o*, gpt-4, false",
        "llama3*:8b, llama3.2:8b, true",
        "llama3*:8b, llama3.2:70b, false",
        "*, library/qwen2.5:7b, true",
        "gpt.4, gpt-4, false"
    })
    void modelPatternsAreGlobsWithoutRegardToCase(String pattern, String model, boolean permitted) {
        assertThat(catalog(Map.of("ASKPIPE_MODELS", pattern)).permits(model)).isEqualTo(permitted);
    }

    @Test
    void refusesAnUnregisteredBackendBeforeTheModel() {
        BackendCatalog catalog = catalog(Map.of("ASKPIPE_BACKENDS", "dryrun,openai", "ASKPIPE_MODELS", "gpt-*"));
        assertThat(catalog.refusal("llama", "mistral")).hasValueSatisfying(refusal -> {
            assertThat(refusal.kind()).isEqualTo(BackendCatalog.RefusalKind.UNKNOWN_BACKEND);
            assertThat(refusal.pointer()).isEqualTo("/backend");
            assertThat(refusal.detail())
                    .isEqualTo("'llama' is not a backend of this deployment (it has dryrun, openai)");
        });
        assertThat(catalog.refusal("openai", "gpt-4o")).isEmpty();
        assertThat(catalog.refusal(null, "mistral"))
                .hasValueSatisfying(refusal -> assertThat(refusal.detail())
                        .isEqualTo("'mistral' is not a permitted model (permitted: gpt-*)"));
    }

    @Test
    void theDefaultRoutesKeepOnlyRegisteredBackends() {
        BackendCatalog catalog = catalog(Map.of("ASKPIPE_BACKENDS", "dryrun,openai"));
        assertThat(catalog.modelRoutes())
                .isNotEmpty()
                .allSatisfy(route -> assertThat(route.backend()).isEqualTo("openai"));
    }

    @Test
    void badValuesFailNamingTheVariable() {
        assertThatThrownBy(() -> catalog(Map.of("ASKPIPE_BACKENDS", "dryrun,Open AI")))
                .isInstanceOf(ConfigException.class)
                .hasMessageStartingWith("ASKPIPE_BACKENDS");
        assertThatThrownBy(() -> catalog(Map.of("ASKPIPE_BACKENDS", " , ")))
                .isInstanceOf(ConfigException.class)
                .hasMessage("ASKPIPE_BACKENDS must name at least one backend");
        assertThatThrownBy(() -> catalog(Map.of("ASKPIPE_BACKENDS", "dryrun,openai,dryrun")))
                .isInstanceOf(ConfigException.class)
                .hasMessage("ASKPIPE_BACKENDS names a backend twice: dryrun,openai,dryrun");
        assertThatThrownBy(() -> catalog(Map.of("ASKPIPE_MODELS", "gpt 4")))
                .isInstanceOf(ConfigException.class)
                .hasMessageStartingWith("ASKPIPE_MODELS");
        assertThatThrownBy(() -> catalog(Map.of("ROUTER_MODEL_ROUTES", "gpt-*")))
                .isInstanceOf(ConfigException.class)
                .hasMessageStartingWith("ROUTER_MODEL_ROUTES");
        assertThatThrownBy(() -> catalog(Map.of("ROUTER_FALLBACKS", "openai=llama")))
                .isInstanceOf(ConfigException.class)
                .hasMessageStartingWith("ROUTER_FALLBACKS");
        assertThatThrownBy(() -> catalog(Map.of("PROMPT_BACKEND", "Open AI")))
                .isInstanceOf(ConfigException.class)
                .hasMessageStartingWith("PROMPT_BACKEND");
    }

    @Test
    void aRouteFallbackOrDefaultOutsideTheRegisteredBackendsFailsNamingItsVariable() {
        assertThatThrownBy(() -> catalog(
                        Map.of("ASKPIPE_BACKENDS", "dryrun,openai,llama", "ROUTER_MODEL_ROUTES", "claude-*=anthropic")))
                .isInstanceOf(ConfigException.class)
                .hasMessage("ROUTER_MODEL_ROUTES names the backend 'anthropic', which is not in ASKPIPE_BACKENDS"
                        + " (dryrun,openai,llama)");
        assertThatThrownBy(
                        () -> catalog(Map.of("ASKPIPE_BACKENDS", "dryrun,openai", "ROUTER_FALLBACKS", "openai:llama")))
                .isInstanceOf(ConfigException.class)
                .hasMessageStartingWith("ROUTER_FALLBACKS names the backend 'llama'");
        assertThatThrownBy(() -> catalog(Map.of("PROMPT_BACKEND", "nope")))
                .isInstanceOf(ConfigException.class)
                .hasMessageStartingWith("PROMPT_BACKEND names the backend 'nope'");
        assertThatThrownBy(() -> catalog(Map.of("ASKPIPE_BACKENDS", "openai")))
                .isInstanceOf(ConfigException.class)
                .hasMessageStartingWith(
                        "PROMPT_BACKEND is not set and its default, dryrun, is not in ASKPIPE_BACKENDS");
        assertThat(catalog(Map.of("ASKPIPE_BACKENDS", "openai", "PROMPT_BACKEND", "openai"))
                        .defaultBackend())
                .isEqualTo("openai");
    }
}
