package io.askpipe.jmh;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The JSON benchmarks measure real round trips of realistic messages, and their baseline the same JSON. */
class JsonBenchmarkTest {

    private static JsonBenchmark benchmark(String message) throws Exception {
        JsonBenchmark benchmark = new JsonBenchmark();
        benchmark.message = message;
        benchmark.setUp();
        return benchmark;
    }

    @ParameterizedTest
    @ValueSource(strings = {"AskRequest", "AskResult"})
    void theSerdeRoundTripsTheMessage(String message) throws Exception {
        JsonBenchmark benchmark = benchmark(message);
        assertThat(benchmark.value().getClass().getSimpleName()).isEqualTo(message);
        assertThat(benchmark.deserialize()).isEqualTo(benchmark.value());
        assertThat(benchmark.serialize()).isEqualTo(benchmark.json());
    }

    @ParameterizedTest
    @ValueSource(strings = {"AskRequest", "AskResult"})
    void theBaselineHandlesTheSameJson(String message) throws Exception {
        JsonBenchmark benchmark = benchmark(message);
        assertThat(benchmark.serializeTreeBaseline())
                .as("the tree writes the very bytes the serde writes")
                .isEqualTo(benchmark.json());
        assertThat(benchmark.deserializeTreeBaseline().size())
                .as("top-level fields")
                .isGreaterThanOrEqualTo(3);
    }

    @Test
    void theMessagesHaveTheSizesOfATypicalAsk() throws Exception {
        assertThat(Payloads.PROMPT.length()).isBetween(200, 600);
        assertThat(Payloads.ANSWER.getBytes(StandardCharsets.UTF_8).length).isBetween(900, 1300);
        assertThat(benchmark("AskRequest").json().length).isBetween(500, 1500);
        assertThat(benchmark("AskResult").json().length).isBetween(1000, 2000);
        assertThat(benchmark("AskResult")
                        .deserializeTreeBaseline()
                        .get("answer")
                        .textValue())
                .isEqualTo(Payloads.ANSWER);
    }
}
