package io.askpipe.bench.cost;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class CompilerThreadsTest {
    @Test
    void aCompilerThreadsTicksAreItsUserAndSystemTime() {
        String stat = "4242 (C2 CompilerThre) S 4200 4200 1 0 -1 1077936192 5 0 0 0 731 29 0 0 20 0 40 0 9 0";

        assertThat(CompilerThreads.ticks(stat)).isEqualTo(760);
    }

    @Test
    void anotherThreadCountsForNothing() {
        String stat = "4243 (kafka-request-) S 4200 4200 1 0 -1 1077936192 5 0 0 0 731 29 0 0 20 0 40 0 9 0";

        assertThat(CompilerThreads.ticks(stat)).isZero();
    }

    @Test
    void aNameWithParenthesesAndSpacesIsReadToItsLastParenthesis() {
        String stat = "4244 (C1 CompilerThre) ) R 4200 4200 1 0 -1 1077936192 5 0 0 0 12 3 0 0 20 0 40 0 9 0";

        assertThat(CompilerThreads.ticks(stat)).isEqualTo(15);
    }
}
