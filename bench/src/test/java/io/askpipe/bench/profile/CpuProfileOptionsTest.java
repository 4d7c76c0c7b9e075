package io.askpipe.bench.profile;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class CpuProfileOptionsTest {
    private static final Path HERE = Path.of("/work/caller");

    @Test
    void theRecordingAloneReadsItAndWritesNoFile() {
        assertThat(CpuProfileOptions.parse(HERE, "stack.jfr"))
                .isEqualTo(new CpuProfileOptions(HERE.resolve("stack.jfr"), Optional.empty(), Optional.empty()));
    }

    @Test
    void optionsComeBeforeOrAfterTheRecordingAndPathsAreTheCallers() {
        CpuProfileOptions options =
                CpuProfileOptions.parse(HERE, "--per-ask-ms", "0.97", "/tmp/stack.jfr", "--json", "out/cpu.json");

        assertThat(options.recording()).isEqualTo(Path.of("/tmp/stack.jfr"));
        assertThat(options.perAskMs()).contains(0.97);
        assertThat(options.json()).contains(HERE.resolve("out/cpu.json"));
    }

    @Test
    void anythingElseTellsTheUsage() {
        assertThatThrownBy(() -> CpuProfileOptions.parse(HERE))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("usage: CpuProfile FILE.jfr");
        assertThatThrownBy(() -> CpuProfileOptions.parse(HERE, "a.jfr", "b.jfr"))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> CpuProfileOptions.parse(HERE, "a.jfr", "--per-ask-ms"))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> CpuProfileOptions.parse(HERE, "a.jfr", "--per-ask-ms", "much"))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> CpuProfileOptions.parse(HERE, "a.jfr", "--per-ask-ms", "0"))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> CpuProfileOptions.parse(HERE, "a.jfr", "--per-ask-ms", "NaN"))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> CpuProfileOptions.parse(HERE, "a.jfr", "--profile", "x"))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
