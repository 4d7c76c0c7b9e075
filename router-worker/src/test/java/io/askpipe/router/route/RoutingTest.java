package io.askpipe.router.route;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.askpipe.common.config.ConfigException;
import io.askpipe.common.config.Env;
import io.askpipe.schemas.AskRequest;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;

class RoutingTest {
    private static AskRequest ask(String backend, String model) {
        return new AskRequest("id", "u", "k", "p", model, backend, Instant.EPOCH);
    }

    private static Routing routing(Map<String, String> env) {
        return Routing.fromEnv(Env.of(env));
    }

    @Test
    void explicitBackendWinsOverModelAndDefault() {
        assertThat(routing(Map.of("PROMPT_BACKEND", "llama"))
                        .resolve(ask("openai", "llama3"))
                        .primary())
                .isEqualTo("openai");
    }

    @Test
    void modelTableWinsOverTheDefault() {
        Routing routing = routing(Map.of("PROMPT_BACKEND", "dryrun"));
        assertThat(routing.resolve(ask(null, "gpt-4o-mini")).primary()).isEqualTo("openai");
        assertThat(routing.resolve(ask(null, "o3-mini")).primary()).isEqualTo("openai");
        assertThat(routing.resolve(ask(null, "llama3.2:1b")).primary()).isEqualTo("llama");
        assertThat(routing.resolve(ask(null, "Mistral-7B")).primary())
                .as("case-insensitive")
                .isEqualTo("llama");
        assertThat(routing.resolve(ask(null, "qwen2.5")).primary()).isEqualTo("llama");
        assertThat(routing.resolve(ask(null, "claude-sonnet-5-5")).primary()).isEqualTo("anthropic");
        assertThat(routing.resolve(ask(null, "gemini-2.5-pro")).primary())
                .as("no pattern: the default")
                .isEqualTo("dryrun");
    }

    @Test
    void defaultIsPromptBackendElseDryrun() {
        assertThat(routing(Map.of("PROMPT_BACKEND", "llama"))
                        .resolve(ask(null, null))
                        .primary())
                .isEqualTo("llama");
        assertThat(routing(Map.of()).resolve(ask(null, null)).primary()).isEqualTo("dryrun");
    }

    @Test
    void configuredRoutesReplaceTheDefaultsAndFirstMatchWins() {
        Routing routing = routing(Map.of("ROUTER_MODEL_ROUTES", "gpt-4o*=llama, gpt-*=openai"));
        assertThat(routing.resolve(ask(null, "gpt-4o")).primary()).isEqualTo("llama");
        assertThat(routing.resolve(ask(null, "gpt-3.5")).primary()).isEqualTo("openai");
        assertThat(routing.resolve(ask(null, "llama3")).primary()).isEqualTo("dryrun");
    }

    @Test
    void fallbackChainsFollowAndStopAtACycle() {
        Routing routing = routing(Map.of("ROUTER_FALLBACKS", "openai:llama,llama:dryrun,dryrun:openai"));
        var route = routing.resolve(ask(null, "gpt-4o"));
        assertThat(route.backends()).containsExactly("openai", "llama", "dryrun");
        assertThat(route.modelFor("openai")).isEqualTo("gpt-4o");
        assertThat(route.modelFor("llama")).isNull();
    }

    @Test
    void badSpecificationsNameTheVariable() {
        assertThatThrownBy(() -> routing(Map.of("ROUTER_MODEL_ROUTES", "gpt-*")))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("ROUTER_MODEL_ROUTES");
        assertThatThrownBy(() -> routing(Map.of("ROUTER_FALLBACKS", "openai=llama")))
                .hasMessageContaining("ROUTER_FALLBACKS");
        assertThatThrownBy(() -> routing(Map.of("PROMPT_BACKEND", "Open AI"))).hasMessageContaining("PROMPT_BACKEND");
    }

    @Test
    void anUnregisteredExplicitBackendIsPassedOverAndRefused() {
        Routing routing = routing(Map.of("ASKPIPE_BACKENDS", "dryrun,openai"));
        assertThat(routing.resolve(ask("nosuch", "gpt-4o")).primary()).isEqualTo("openai");
        assertThat(routing.resolve(ask("llama", null)).primary())
                .as("llama is built in but not registered here")
                .isEqualTo("dryrun");
        assertThat(routing.resolve(ask(null, "llama3")).primary())
                .as("the default route to an unregistered backend is dropped")
                .isEqualTo("dryrun");
        assertThat(routing.refusal(ask("llama", null)))
                .hasValueSatisfying(refusal -> assertThat(refusal.pointer()).isEqualTo("/backend"));
        assertThat(routing.refusal(ask("openai", null))).isEmpty();
    }

    @Test
    void aRouteOrFallbackToAnUnregisteredBackendFailsTheStart() {
        assertThatThrownBy(() -> routing(Map.of("ASKPIPE_BACKENDS", "dryrun", "ROUTER_MODEL_ROUTES", "gpt-*=openai")))
                .isInstanceOf(ConfigException.class)
                .hasMessage(
                        "ROUTER_MODEL_ROUTES names the backend 'openai', which is not in ASKPIPE_BACKENDS (dryrun)");
        assertThatThrownBy(
                        () -> routing(Map.of("ASKPIPE_BACKENDS", "dryrun,openai", "ROUTER_FALLBACKS", "openai:llama")))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("ROUTER_FALLBACKS")
                .hasMessageContaining("'llama'");
    }
}
