package io.askpipe.bench.load;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class AskLoadOptionsTest {
    @Test
    void defaultsAreTheDocumentedRun() {
        assertThat(AskLoadOptions.parse())
                .isEqualTo(new AskLoadOptions(
                        1000,
                        5000,
                        Duration.ofSeconds(60),
                        64,
                        Path.of("target/askload.json"),
                        "1g",
                        java.util.Optional.empty()));
    }

    @Test
    void everyOptionIsANameAndAValue() {
        AskLoadOptions options = AskLoadOptions.parse(
                "--rate", "500", "--sustain", "2000", "--duration", "30", "--profile", "stack.jfr");

        assertThat(options.rate()).isEqualTo(500);
        assertThat(options.sustain()).isEqualTo(2000);
        assertThat(options.duration()).isEqualTo(Duration.ofSeconds(30));
        assertThat(options.profile()).contains(Path.of("stack.jfr"));
    }

    @Test
    void anythingElseTellsTheUsage() {
        assertThatThrownBy(() -> AskLoadOptions.parse("--help"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("usage: AskLoad [--rate N]");
    }
}
