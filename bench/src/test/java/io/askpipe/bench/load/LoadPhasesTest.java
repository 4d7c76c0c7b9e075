package io.askpipe.bench.load;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class LoadPhasesTest {
    @Test
    void theStacksRecordingTakesCpuTimeSamplesWhereTheJvmHasThem() {
        assertThat(LoadPhases.flightRecording(Path.of("/tmp/stack.jfr"), 25, "Linux"))
                .isEqualTo("-XX:StartFlightRecording=settings=profile,jdk.CPUTimeSample#enabled=true,dumponexit=true,"
                        + "filename=/tmp/stack.jfr");
        assertThat(LoadPhases.flightRecording(Path.of("/tmp/stack.jfr"), 21, "Linux"))
                .isEqualTo("-XX:StartFlightRecording=settings=profile,dumponexit=true,filename=/tmp/stack.jfr");
        assertThat(LoadPhases.flightRecording(Path.of("/tmp/stack.jfr"), 25, "Mac OS X"))
                .doesNotContain("CPUTimeSample");
    }
}
