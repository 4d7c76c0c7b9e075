package io.askpipe.bench.cost;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class StepResultTest {
    private static final Step.Description STEP = new Step.Description("a step", "a guarantee", "one call");

    @Test
    void dividesTheCpuUsedAmongTheMeasuredAsks() {
        CpuTime before = new CpuTime(
                Duration.ofMillis(10_000), Duration.ofMillis(3_000), Duration.ofMillis(700), Duration.ofMillis(90));
        CpuTime after = new CpuTime(
                Duration.ofMillis(12_500), Duration.ofMillis(3_400), Duration.ofMillis(750), Duration.ofMillis(100));

        StepResult result = StepResult.of(
                STEP, 20_000, Duration.ofSeconds(4).toNanos(), after.since(before), Timings.Summary.EMPTY, "");

        assertThat(result.jvmCpuMsPerAsk()).isEqualTo(0.125);
        assertThat(result.databaseCpuMsPerAsk()).isEqualTo(0.02);
        assertThat(result.seconds()).isEqualTo(4.0);
        assertThat(result.asksPerSecond()).isEqualTo(5_000.0);
        assertThat(result.jitMs()).isEqualTo(50);
        assertThat(result.gcMs()).isEqualTo(10);
    }

    @Test
    void cpuThatWentBackwardsCountsAsNone() {
        // a PostgreSQL backend that ended between the two readings took its CPU time with it
        CpuTime used = new CpuTime(Duration.ofMillis(5), Duration.ofMillis(2), Duration.ZERO, Duration.ZERO)
                .since(new CpuTime(Duration.ZERO, Duration.ofMillis(7), Duration.ofMillis(30), Duration.ZERO));

        StepResult result = StepResult.of(STEP, 1_000, 1, used, Timings.Summary.EMPTY, "");

        assertThat(used.database()).isEqualTo(Duration.ofMillis(-5));
        assertThat(result.databaseCpuMsPerAsk()).isZero();
        assertThat(result.jvmCpuMsPerAsk()).isEqualTo(0.005);
        assertThat(result.jitMs()).isZero(); // a compiler thread that ended took its CPU time with it
    }

    @Test
    void aRunOfNoTimeHasNoRate() {
        StepResult result = StepResult.of(
                STEP,
                10,
                0,
                new CpuTime(Duration.ZERO, Duration.ZERO, Duration.ZERO, Duration.ZERO),
                Timings.Summary.EMPTY,
                "");

        assertThat(result.asksPerSecond()).isZero();
    }
}
