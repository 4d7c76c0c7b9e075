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
                        java.util.Optional.empty(),
                        10,
                        false));
    }

    @Test
    void everyOptionIsANameAndAValue() {
        AskLoadOptions options = AskLoadOptions.parse(
                "--rate", "500", "--sustain", "2000", "--duration", "30", "--profile", "stack.jfr", "--idle-rate", "5");

        assertThat(options.rate()).isEqualTo(500);
        assertThat(options.sustain()).isEqualTo(2000);
        assertThat(options.duration()).isEqualTo(Duration.ofSeconds(30));
        assertThat(options.profile()).contains(Path.of("stack.jfr"));
        assertThat(options.idleRate()).isEqualTo(5);
        assertThat(options.splitCores()).isFalse();
    }

    @Test
    void splitCoresIsAFlagWithoutAValueAnywhereOnTheLine() {
        assertThat(AskLoadOptions.parse("--split-cores").splitCores()).isTrue();

        AskLoadOptions between = AskLoadOptions.parse("--rate", "200", "--split-cores", "--duration", "10");
        assertThat(between.splitCores()).isTrue();
        assertThat(between.rate()).isEqualTo(200);
        assertThat(between.duration()).isEqualTo(Duration.ofSeconds(10));

        assertThat(AskLoadOptions.parse("--duration", "10", "--split-cores").splitCores())
                .isTrue();
    }

    @Test
    void anythingElseTellsTheUsage() {
        assertThatThrownBy(() -> AskLoadOptions.parse("--help"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("usage: AskLoad [--rate N]");
        assertThatThrownBy(() -> AskLoadOptions.parse("--rates", "5"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("[--idle-rate N] [--split-cores]");
        assertThatThrownBy(() -> AskLoadOptions.parse("--idle-rate"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("usage: AskLoad");
        assertThatThrownBy(() -> AskLoadOptions.parse("--idle-rate", "ten"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("usage: AskLoad");
        assertThatThrownBy(() -> AskLoadOptions.parse("rate", "5")).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void ratesAndTheDurationAreAtLeastOne() {
        assertThatThrownBy(() -> AskLoadOptions.parse("--idle-rate", "0"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("at least 1");
        assertThatThrownBy(() -> AskLoadOptions.parse("--duration", "0"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("at least 1");
    }
}
