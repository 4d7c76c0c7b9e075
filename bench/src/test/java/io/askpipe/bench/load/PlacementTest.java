package io.askpipe.bench.load;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class PlacementTest {
    private static final Optional<Path> TASKSET = Optional.of(Path.of("/usr/bin/taskset"));
    private static final List<String> JAVA = List.of("java", "-cp", "x", "Main");

    @Test
    void aSplitNeedsTasksetAndTwoCpus() {
        assertThat(Placement.refusal(2, TASKSET)).isEmpty();
        assertThat(Placement.refusal(2, Optional.empty()))
                .hasValueSatisfying(reason -> assertThat(reason).contains("taskset"));
        assertThat(Placement.refusal(1, TASKSET))
                .hasValueSatisfying(
                        reason -> assertThat(reason).contains("at least 2 CPUs").contains("1"));
        assertThatThrownBy(() -> Placement.split(1, TASKSET))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageStartingWith("--split-cores needs at least 2 CPUs");
    }

    @Test
    void splitPinsTheServicesToCpuOneAndTheInfrastructureToCpuZero() {
        Placement split = Placement.split(2, TASKSET);

        assertThat(split.split()).isTrue();
        assertThat(split.services(JAVA)).containsExactly("/usr/bin/taskset", "-c", "1", "java", "-cp", "x", "Main");
        assertThat(split.infrastructure(JAVA))
                .containsExactly("/usr/bin/taskset", "-c", "0", "java", "-cp", "x", "Main");
    }

    @Test
    void sharedLeavesEveryCommandAsItIs() {
        Placement shared = Placement.shared();

        assertThat(shared.split()).isFalse();
        assertThat(shared.services(JAVA)).isEqualTo(JAVA);
        assertThat(shared.infrastructure(JAVA)).isEqualTo(JAVA);
        shared.check("anything", ProcessHandle.current().pid(), 7); // checks nothing
    }

    @Test
    void aSplitCheckFailsForAProcessThatMayRunElsewhere() {
        Optional<String> mine = CpuAffinity.allowed(ProcessHandle.current().pid());
        org.junit.jupiter.api.Assumptions.assumeTrue(
                mine.isPresent() && !mine.get().equals("5"));

        assertThatThrownBy(() -> Placement.split(2, TASKSET)
                        .check("this JVM", ProcessHandle.current().pid(), 5))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("not on CPU 5 alone");
    }
}
