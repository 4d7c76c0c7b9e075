package io.askpipe.bench.batch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class BatchLoadOptionsTest {
    @Test
    void defaultsAreTheIssuesRun() {
        assertThat(BatchLoadOptions.parse())
                .isEqualTo(new BatchLoadOptions(
                        50_000,
                        50,
                        Duration.ofSeconds(30),
                        Duration.ofSeconds(30),
                        64,
                        100,
                        Duration.ofMillis(500),
                        1,
                        Optional.empty(),
                        Path.of("target/batchload.json")));
        assertThat(BatchLoadOptions.parse().ingestSettings()).isEmpty();
    }

    @Test
    void everyOptionIsANameAndAValue() {
        BatchLoadOptions options = BatchLoadOptions.parse(
                "--lines", "5000", "--rate", "20", "--seconds", "10", "--chunk", "250", "--sample-ms", "250");

        assertThat(options.lines()).isEqualTo(5000);
        assertThat(options.rate()).isEqualTo(20);
        assertThat(options.seconds()).isEqualTo(Duration.ofSeconds(10));
        assertThat(options.sample()).isEqualTo(Duration.ofMillis(250));
        assertThat(options.ingestSettings()).isEqualTo(Map.of("BATCH_EXPANSION_CHUNK", "250"));
    }

    @Test
    void anythingElseTellsTheUsage() {
        assertThatThrownBy(() -> BatchLoadOptions.parse("--help"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("usage: BatchLoad [--lines 50000]");
        assertThatThrownBy(() -> BatchLoadOptions.parse("--lines")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> BatchLoadOptions.parse("--lines", "many"))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> BatchLoadOptions.parse("--rate", "0")).isInstanceOf(IllegalArgumentException.class);
    }
}
