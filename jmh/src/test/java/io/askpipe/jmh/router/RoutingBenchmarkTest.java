package io.askpipe.jmh.router;

import static org.assertj.core.api.Assertions.assertThat;

import io.askpipe.router.route.Routing;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Each routing case resolves to the backends it is meant to, and the baseline to the same route. */
class RoutingBenchmarkTest {

    @ParameterizedTest
    @CsvSource({
        "explicit-backend, llama3.2:1b, llama dryrun",
        "first-pattern, gpt-4o-mini, openai llama dryrun",
        "last-pattern, claude-sonnet-5-5, anthropic",
        "no-match, gemini-2.5-pro, dryrun"
    })
    void resolvesToTheExpectedChain(String ask, String model, String chain) {
        RoutingBenchmark benchmark = new RoutingBenchmark();
        benchmark.ask = ask;
        benchmark.setUp();

        Routing.Route route = (Routing.Route) benchmark.resolve();
        assertThat(route.backends()).containsExactly(chain.split(" "));
        assertThat(route.requestedModel()).isEqualTo(model);
        assertThat(benchmark.resolveCachedBaseline()).isEqualTo(route);
    }
}
